using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.Replay;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Tests.Replay;

/// <summary>Drives an <see cref="OrchestrationExecutor"/> directly with hand-made history, no storage.</summary>
internal static class ExecutorHarness
{
    public static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static OrchestrationExecutor Create(DurableTaskRegistry registry, string instanceId = "i", ILoggerFactory? loggers = null) =>
        new(instanceId, registry, new ServiceCollection().BuildServiceProvider(), PayloadJson.DefaultOptions, loggers ?? NullLoggerFactory.Instance);

    public static void Run(OrchestrationExecutor executor, IEnumerable<HistoryEvent> events, bool replaying)
    {
        executor.BeginEpisode(v => v);
        try
        {
            foreach (var e in events)
            {
                executor.Apply(e, replaying);
            }
        }
        finally
        {
            executor.EndEpisode();
        }
    }

    public static OrchestratorStartedEvent Started(DateTime? at = null) => new() { Timestamp = at ?? T0 };

    public static ExecutionStartedEvent Start(string name, DateTime? at = null, string? input = null) =>
        new(name, "1", "exec", input) { Timestamp = at ?? T0 };
}
