using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// The CUDA backend has no kernel for this op with these dtypes or layouts. The backend never falls back to the
/// CPU silently: move the tensors with <c>Tensor.To(Device.Cpu)</c> for this op, or add the kernel.
/// </summary>
public sealed class CudaOpNotSupportedException : NotSupportedException
{
    public CudaOpNotSupportedException()
    {
    }

    public CudaOpNotSupportedException(string message)
        : base(message)
    {
    }

    public CudaOpNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal CudaOpNotSupportedException(OpKind op, string detail)
        : base($"The CUDA backend does not implement {op} {detail}. Run it on the CPU (Tensor.To(Device.Cpu)) or add a CUDA kernel for it.")
    {
        Op = op;
    }

    /// <summary>The op that has no CUDA kernel.</summary>
    public OpKind? Op { get; }
}
