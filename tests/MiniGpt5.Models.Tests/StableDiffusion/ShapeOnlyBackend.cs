using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Models.Tests.StableDiffusion;

/// <summary>
/// A CPU backend for building full-size modules only to inspect their parameter names and shapes: allocations are
/// reserved but never written (no zeroing), so the operating system commits no pages and a 3.5 GB UNet builds in a
/// moment instead of faulting in every page. It runs no ops; the tensors' values must not be read.
/// </summary>
internal sealed class ShapeOnlyBackend : IBackend
{
    public static ShapeOnlyBackend Instance { get; } = new();

    public Device Device => Device.Cpu;

    public string Name => "cpu-shape-only";

    public TensorStorage Allocate(long byteLength, bool zeroed) => new NativeStorage(byteLength, zero: false);

    public bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) => false;

    public void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) =>
        throw new NotSupportedException($"The shape-only backend runs no ops (asked for {kind}).");

    public void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset) =>
        throw new NotSupportedException("The shape-only backend holds no data.");

    public void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination) =>
        throw new NotSupportedException("The shape-only backend holds no data.");
}
