namespace MiniGpt5.Tensors;

/// <summary>A tensor's shape does not fit an operation: wrong rank, mismatched or non-broadcastable sizes, an out-of-range dimension or index. The message names the operation and every shape involved.</summary>
public sealed class TensorShapeException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public TensorShapeException()
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    public TensorShapeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and cause.</summary>
    public TensorShapeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
