namespace MiniGpt5.Tensors;

/// <summary>A tensor's element type does not fit an operation (an integer tensor passed to a float-only op, mismatched dtypes with no promotion rule, a span of the wrong element type). The message names the operation and the dtypes.</summary>
public sealed class TensorDTypeException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public TensorDTypeException()
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    public TensorDTypeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and cause.</summary>
    public TensorDTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
