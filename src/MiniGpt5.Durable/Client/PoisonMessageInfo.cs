namespace MiniGpt5.Durable.Client;

/// <summary>A message that was moved to the poison container after too many failed deliveries.</summary>
/// <param name="Name">Its blob name in <c>{hub}-poison</c>.</param>
/// <param name="Queue">The queue it came from.</param>
/// <param name="MessageId">Its queue message id.</param>
/// <param name="InstanceId">The orchestration instance it concerned, when it could be read.</param>
/// <param name="DequeueCount">Deliveries when it was moved.</param>
/// <param name="Reason">Why it was moved.</param>
/// <param name="PoisonedAt">When it was moved (UTC).</param>
/// <param name="Text">The message text as it was on the queue.</param>
public sealed record PoisonMessageInfo(
    string Name,
    string Queue,
    string MessageId,
    string? InstanceId,
    long DequeueCount,
    string Reason,
    DateTime PoisonedAt,
    string Text);
