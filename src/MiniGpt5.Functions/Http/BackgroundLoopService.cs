using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Runs one long-lived loop of the API host (the ingestion poller, the schedule ticker) as a hosted service: it
/// starts after the host is up, and a loop that throws is logged and restarted after a pause instead of taking
/// the API down with it.
/// </summary>
public sealed partial class BackgroundLoopService : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private readonly Func<CancellationToken, Task> _loop;
    private readonly ILogger _logger;

    /// <summary>Creates the service for <paramref name="loop"/>, named <paramref name="name"/> in logs.</summary>
    public BackgroundLoopService(string name, Func<CancellationToken, Task> loop, ILogger logger)
    {
        _name = name;
        _loop = loop;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up host start
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _loop(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(_logger, e, _name, RestartDelay);
                await Task.Delay(RestartDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Name} loop failed; restarting it in {Delay}.")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string name, TimeSpan delay);
}
