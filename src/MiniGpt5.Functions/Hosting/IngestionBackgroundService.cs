using Microsoft.Extensions.Hosting;
using MiniGpt5.Functions.Ingestion;

namespace MiniGpt5.Functions.Hosting;

/// <summary>Polls the manuscripts container in a long-running host (serve without blob events); see <see cref="ManuscriptIngestion.RunAsync"/>.</summary>
public sealed class IngestionBackgroundService(ManuscriptIngestion ingestion) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ingestion.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
