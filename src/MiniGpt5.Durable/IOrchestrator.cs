namespace MiniGpt5.Durable;

/// <summary>
/// A durable orchestrator: a deterministic async method that is rebuilt by replaying its history. It may only
/// wait on the <see cref="OrchestrationContext"/>'s tasks (activities, sub-orchestrations, timers, events) and
/// <see cref="Task.WhenAll(Task[])"/> / <see cref="Task.WhenAny(Task[])"/> over them: no I/O, no clocks, no
/// random numbers, no <c>Task.Run</c>, no <c>ConfigureAwait(false)</c>. Register it with
/// <see cref="DurableTaskRegistry.AddOrchestrator{TOrchestrator}(string?, string?)"/>.
/// </summary>
/// <typeparam name="TInput">Input, deserialized from JSON.</typeparam>
/// <typeparam name="TOutput">Output, serialized to JSON.</typeparam>
public interface IOrchestrator<TInput, TOutput>
{
    /// <summary>Runs (or replays) the orchestration.</summary>
    Task<TOutput> RunAsync(OrchestrationContext context, TInput input);
}
