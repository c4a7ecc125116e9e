namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Non-tensor arguments of an op, as told to backends and to the <see cref="IOpRecorder"/>. Each op kind
/// documents which derived record it carries; ops without arguments carry <see cref="None"/>.</summary>
public abstract record OpAttributes
{
    /// <summary>The attributes of an op that has none.</summary>
    public static OpAttributes None { get; } = new NoAttributes();

    private sealed record NoAttributes : OpAttributes;
}
