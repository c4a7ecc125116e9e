using Microsoft.Extensions.Hosting;
using MiniGpt5.Functions.Schedules;

namespace MiniGpt5.Functions.Hosting;

/// <summary>Ticks the dataset schedules in a long-running host; see <see cref="DatasetScheduler.RunAsync"/>.</summary>
public sealed class ScheduleBackgroundService(DatasetScheduler scheduler) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await scheduler.RunAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
