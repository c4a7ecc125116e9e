using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// An op ran on tensors that require gradients in a way autograd cannot differentiate: the op has no backward,
/// or it wrote in place into a tensor the graph depends on. Thrown when the op is recorded, naming it, so the
/// forward fails at the faulty line instead of producing wrong gradients later.
/// </summary>
public sealed class UnsupportedGradientException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="kind"/>.</summary>
    public UnsupportedGradientException(OpKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>The op at fault.</summary>
    public OpKind Kind { get; }
}
