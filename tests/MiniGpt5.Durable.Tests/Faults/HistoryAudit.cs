using System.Text;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Tests.Faults;

/// <summary>
/// Checks an execution's stored history for the signs of a double commit or a duplicated completion: every
/// complete record line is a distinct, consecutive checkpoint; one start, one end; each task scheduled once and
/// answered at most once.
/// </summary>
public static class HistoryAudit
{
    public static async Task<string?> FindProblemAsync(IBlobStore blobs, string hub, string instanceId, string executionId)
    {
        var names = new TaskHubNames(hub);
        byte[] bytes;
        await using (var download = await blobs.GetAsync(names.HistoryContainer, TaskHubNames.HistoryBlob(instanceId, executionId)))
        {
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer);
            bytes = buffer.ToArray();
        }

        var snapshot = HistoryLog.Parse(bytes, names.HistoryContainer, instanceId, executionId);
        var numbers = snapshot.Checkpoints.Select(c => c.Number).ToList();
        // Two writers committing the same checkpoint would show up as a repeated number here.
        if (!numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)))
        {
            return $"checkpoints are not 1..n: {string.Join(",", numbers)}";
        }

        var events = snapshot.Events.ToList();
        if (events.OfType<ExecutionStartedEvent>().Count() != 1)
        {
            return $"{events.OfType<ExecutionStartedEvent>().Count()} ExecutionStarted events";
        }

        if (events.OfType<ExecutionCompletedEvent>().Count() != 1)
        {
            return $"{events.OfType<ExecutionCompletedEvent>().Count()} ExecutionCompleted events";
        }

        var scheduled = events.OfType<TaskScheduledEvent>().Select(e => e.EventId).ToList();
        if (scheduled.Count != scheduled.Distinct().Count())
        {
            return "a task was scheduled twice";
        }

        var answered = events.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId)
            .Concat(events.OfType<TaskFailedEvent>().Select(e => e.TaskScheduledId)).ToList();
        if (answered.Count != answered.Distinct().Count())
        {
            return $"a completion was applied twice (task {answered.GroupBy(a => a).First(g => g.Count() > 1).Key})";
        }

        return answered.Except(scheduled).Any() ? "a completion answers a task that was never scheduled" : null;
    }
}
