using System.Globalization;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// Turns a schedule and a run id into the run's input. Seeds: the run's seed is given (a manual run) or derived
/// from the schedule's seed and the run id; record <c>i</c>'s seed is
/// <c>StepSeed.Derive("dataset-run:{runSeed}", i)</c>, so a run is reproduced exactly from its seed.
/// </summary>
public static class DatasetRunPlanner
{
    /// <summary>The container dataset runs are written to.</summary>
    public const string Container = "datasets";

    /// <summary>The run id of the occurrence at <paramref name="dueUtc"/>: <c>20260101T020000Z</c>.</summary>
    public static string RunIdFor(DateTime dueUtc) => dueUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The instance id of a run: <c>dataset-{schedule}-{runId}</c>.</summary>
    public static string InstanceId(string schedule, string runId) => $"dataset-{schedule}-{runId}";

    /// <summary>The run's seed when none is given.</summary>
    public static uint DefaultRunSeed(DatasetSchedule schedule, string runId)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return StepSeed.Derive(string.Create(CultureInfo.InvariantCulture, $"schedule:{schedule.Name}:{schedule.Seed}:{runId}"), 1);
    }

    /// <summary>The input of run <paramref name="runId"/> of <paramref name="schedule"/>.</summary>
    public static DatasetRunInput Plan(DatasetSchedule schedule, string runId, uint? runSeed = null, StepRetrySettings? retry = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var seed = runSeed ?? DefaultRunSeed(schedule, runId);
        var basis = string.Create(CultureInfo.InvariantCulture, $"dataset-run:{seed}");
        var records = Enumerable.Range(1, schedule.ResolvedCount)
            .Select(i => new DatasetRecordPlan(i, schedule.Prompts[(i - 1) % schedule.Prompts.Count], StepSeed.Derive(basis, i)))
            .ToList();
        return new DatasetRunInput(
            schedule.Name,
            runId,
            seed,
            records,
            schedule.Options ?? new ManuscriptOptions(),
            new BookLocation(Container, $"{schedule.Name}/{runId}/"),
            retry);
    }
}
