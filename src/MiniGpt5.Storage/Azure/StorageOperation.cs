namespace MiniGpt5.Storage.Azure;

/// <summary>What a request is about, for error messages: the operation and the container/blob or queue/message it touches.</summary>
internal sealed record StorageOperation(
    string Name,
    string Account,
    string? Container = null,
    string? Blob = null,
    string? Queue = null,
    string? MessageId = null)
{
    public bool IsQueue => Queue is not null;

    public string Target => this switch
    {
        { Blob: not null } => $"blob '{Blob}' in container '{Container}' of account '{Account}'",
        { Container: not null } => $"container '{Container}' of account '{Account}'",
        { MessageId: not null } => $"message {MessageId} in queue '{Queue}' of account '{Account}'",
        { Queue: not null } => $"queue '{Queue}' of account '{Account}'",
        _ => $"account '{Account}'",
    };
}
