using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// Starts dataset runs: those of the schedules in <c>MiniGpt5__SchedulesPath</c> that fell due (the Functions
/// <c>RunSchedules</c> timer, or <see cref="RunAsync"/> in a long-running host), and manual ones. Each occurrence
/// has a deterministic instance id (schedule + due time) and a started id is never started again, so a timer
/// firing twice, two hosts, or a restart never run an occurrence twice.
/// </summary>
public sealed class DatasetScheduler
{
    private static readonly OrchestrationRuntimeStatus[] NeverAgain =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    private readonly DurableClient _client;
    private readonly MiniGpt5Settings _settings;
    private readonly ILogger _logger;

    /// <summary>A scheduler over the task hub's client.</summary>
    public DatasetScheduler(DurableClient client, MiniGpt5Settings settings, ILogger<DatasetScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        _settings = settings;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How far back a tick looks for occurrences it has not started (a host that was down catches up this far).</summary>
    public TimeSpan CatchUpWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Starts every occurrence in (<paramref name="utcNow"/> − <see cref="CatchUpWindow"/>, <paramref name="utcNow"/>]
    /// of every enabled schedule; returns the instance ids started now and log lines (bad schedule files included).
    /// </summary>
    public async Task<(IReadOnlyList<string> Started, IReadOnlyList<string> Log)> RunDueAsync(DateTime utcNow, CancellationToken cancellationToken)
    {
        var (schedules, errors) = await DatasetScheduleLoader.LoadFolderAsync(_settings.SchedulesPath, cancellationToken).ConfigureAwait(false);
        var log = new List<string>(errors);
        var started = new List<string>();
        foreach (var error in errors)
        {
            _logger.LogWarning("Schedule not loaded: {Error}", error);
        }

        foreach (var schedule in schedules.Where(s => s.Enabled && s.Cron is not null))
        {
            var cron = CronExpression.Parse(schedule.Cron!);
            foreach (var due in cron.Between(utcNow - CatchUpWindow, utcNow))
            {
                var runId = DatasetRunPlanner.RunIdFor(due);
                var (instanceId, isNew) = await StartAsync(schedule, runId, null, cancellationToken).ConfigureAwait(false);
                if (isNew)
                {
                    started.Add(instanceId);
                    log.Add($"started {instanceId} for schedule {schedule.Name} due {due:O}");
                    _logger.LogInformation("Started dataset run {InstanceId} for schedule {Schedule} due {Due}", instanceId, schedule.Name, due);
                }
            }
        }

        return (started, log);
    }

    /// <summary>
    /// Starts run <paramref name="runId"/> of <paramref name="schedule"/> (with <paramref name="runSeed"/>, or the
    /// derived one); returns its instance id and whether this call started it.
    /// </summary>
    public async Task<(string InstanceId, bool Started)> StartAsync(DatasetSchedule schedule, string runId, uint? runSeed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var instanceId = DatasetRunPlanner.InstanceId(schedule.Name, runId);
        var existing = await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return (instanceId, false);
        }

        var input = DatasetRunPlanner.Plan(schedule, runId, runSeed, new StepRetrySettings(_settings.StepMaxAttempts, _settings.StepRetrySeconds));
        await _client.ScheduleNewOrchestrationAsync(IllustrationNames.GenerateDataset, input, new StartOrchestrationOptions
        {
            InstanceId = instanceId,
            IfDuplicate = DuplicateStartBehavior.ReturnExisting,
            DedupeStatuses = NeverAgain,
        }, cancellationToken).ConfigureAwait(false);
        return (instanceId, true);
    }

    /// <summary>
    /// Ticks until cancelled: at each occurrence of <c>MiniGpt5__ScheduleCron</c> (default every minute) runs
    /// <see cref="RunDueAsync"/>. A failing tick is logged and the next one tries again.
    /// </summary>
    public async Task RunAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var tick = CronExpression.Parse(_settings.ScheduleCron ?? "* * * * *");
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = tick.NextAfter(now) ?? now.AddMinutes(1);
            await Task.Delay(next - now, time, cancellationToken).ConfigureAwait(false);
            try
            {
                await RunDueAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "A schedule tick failed; the next tick tries again.");
            }
        }
    }
}
