namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// CUDA cannot be used on this machine: a native library (driver, NVRTC, cuBLASLt) is missing, no device is
/// present, or the driver refused to start. The message names what is missing and what to install.
/// </summary>
public sealed class CudaUnavailableException : Exception
{
    public CudaUnavailableException()
    {
    }

    public CudaUnavailableException(string message)
        : base(message)
    {
    }

    public CudaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The library that could not be loaded ("libcuda.so.1"), or null when the cause is not a library.</summary>
    public string? MissingLibrary { get; init; }
}
