using MiniGpt5.Durable.History;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// A message on a control queue: history events for one instance (one or more: an activity worker batches the
/// completions of one instance that finish together). <see cref="ExecutionId"/> null means "the current execution"
/// (client events, terminate, suspend, resume).
/// </summary>
internal sealed record ControlMessage(string InstanceId, string? ExecutionId, IReadOnlyList<HistoryEvent> Events, DateTime SentAt);

/// <summary>
/// A message on an activity queue: one or more scheduled calls of one instance to one task queue (a large
/// fan-out packs several per message, see <see cref="Dispatch.Outbox"/>). A worker runs them in order and
/// deletes the message when all results are sent.
/// </summary>
internal sealed record ActivityWorkItem(IReadOnlyList<ActivityRequest> Requests)
{
    public string InstanceId => Requests[0].InstanceId;

    public string TaskQueue => Requests[0].TaskQueue;
}

/// <summary>One scheduled activity call.</summary>
internal sealed record ActivityRequest(
    string InstanceId,
    string ExecutionId,
    int TaskId,
    string Name,
    string? Input,
    string TaskQueue,
    int Attempt,
    DateTime SentAt);

/// <summary>A message ready to send.</summary>
internal sealed record OutboundMessage(string Queue, string InstanceId, object Body, TimeSpan? Delay = null);
