using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>The device had no room for an allocation even after the pool gave back its cached blocks.</summary>
public sealed class CudaOutOfMemoryException : Exception
{
    public CudaOutOfMemoryException()
    {
    }

    public CudaOutOfMemoryException(string message)
        : base(message)
    {
    }

    public CudaOutOfMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The pool's accounting when the allocation failed.</summary>
    public DeviceMemoryStatistics? Statistics { get; init; }
}
