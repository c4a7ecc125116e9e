namespace MiniGpt5.Durable;

/// <summary>
/// A durable activity: the unit of real work (I/O, GPU). Delivery is at-least-once: a crash, a lost lease or a
/// split-brain may run the same scheduled activity more than once, so an activity must be idempotent. The
/// contract we follow: name every output deterministically from the input (or from
/// <see cref="ActivityContext.IdempotencyKey"/>) and write it create-only, treating "already exists" as done.
/// Register it with <see cref="DurableTaskRegistry.AddActivity{TActivity}(string?, string?)"/>.
/// </summary>
/// <typeparam name="TInput">Input, deserialized from JSON.</typeparam>
/// <typeparam name="TOutput">Output, serialized to JSON.</typeparam>
public interface IActivity<TInput, TOutput>
{
    /// <summary>Does the work. Observe <see cref="ActivityContext.CancellationToken"/>.</summary>
    Task<TOutput> RunAsync(ActivityContext context, TInput input);
}
