namespace MiniGpt5.Tensors.Cuda;

/// <summary>A CUDA driver, NVRTC or cuBLASLt call returned an error. The message names the call and the error.</summary>
public sealed class CudaException : Exception
{
    public CudaException()
    {
    }

    public CudaException(string message)
        : base(message)
    {
    }

    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The library's numeric status code (CUresult, nvrtcResult or cublasStatus_t).</summary>
    public int Code { get; init; }

    /// <summary>The function that failed ("cuMemAlloc_v2").</summary>
    public string? Function { get; init; }
}
