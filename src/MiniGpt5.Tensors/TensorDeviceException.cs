namespace MiniGpt5.Tensors;

/// <summary>Tensors on different devices were passed to one operation, or an operation needs a device it does not have (host spans of GPU memory). The message names the operation and the devices.</summary>
public sealed class TensorDeviceException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public TensorDeviceException()
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    public TensorDeviceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and cause.</summary>
    public TensorDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
