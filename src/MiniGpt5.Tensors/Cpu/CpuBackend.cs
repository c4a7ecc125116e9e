using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu;

/// <summary>
/// The default CPU backend: SIMD kernels (System.Runtime.Intrinsics, System.Numerics.Tensors) on all cores for the
/// ops that carry the work, and the reference kernels for the rest (sorting, sampling, gathers).
/// </summary>
public sealed class CpuBackend : IBackend
{
    private CpuBackend()
    {
    }

    /// <summary>The single instance.</summary>
    public static CpuBackend Instance { get; } = new();

    /// <inheritdoc />
    public Device Device => Device.Cpu;

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public TensorStorage Allocate(long byteLength, bool zeroed) => CpuMemory.Allocate(byteLength, zeroed);

    /// <inheritdoc />
    public bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) =>
        CpuReferenceBackend.Instance.Supports(kind, inputs, outputs, attributes);

    /// <inheritdoc />
    public void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset) =>
        CpuMemory.CopyFromHost(source, destination, destinationByteOffset);

    /// <inheritdoc />
    public void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination) =>
        CpuMemory.CopyToHost(source, sourceByteOffset, destination);

    /// <inheritdoc />
    public void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        switch (kind)
        {
            default:
                CpuReferenceBackend.Instance.Execute(kind, inputs, outputs, attributes);
                break;
        }
    }
}
