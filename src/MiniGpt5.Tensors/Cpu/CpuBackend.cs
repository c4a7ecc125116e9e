using MiniGpt5.Tensors.Cpu.Kernels;
using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu;

/// <summary>
/// The default CPU backend: SIMD kernels (System.Runtime.Intrinsics, System.Numerics.Tensors) on all cores for the
/// ops that carry the work (packed GEMM for linear/matmul/conv, fused attention, norms, softmax, elementwise), and
/// the reference kernels for the rest (integer elementwise, gathers, cumsum, multinomial) and for layouts a fast
/// kernel does not take.
/// </summary>
public sealed class CpuBackend : IBackend
{
    private CpuBackend()
    {
    }

    /// <summary>The single instance.</summary>
    public static CpuBackend Instance { get; } = new();

    /// <summary>
    /// Threads the CPU kernels run on, the calling thread included (torch.set_num_threads). Defaults to
    /// <see cref="Environment.ProcessorCount"/>. The engine keeps that many threads minus one as persistent workers;
    /// setting a new count waits for a running kernel, then replaces them. Process-wide.
    /// </summary>
    public static int Threads
    {
        get => CpuParallel.Workers;
        set => CpuParallel.SetThreads(value);
    }

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
        if (!TryFast(kind, inputs, outputs, attributes))
        {
            CpuReferenceBackend.Instance.Execute(kind, inputs, outputs, attributes);
        }
    }

    private static bool TryFast(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        var output = outputs[0];
        switch (kind)
        {
            case OpKind.Copy:
                return ElementwiseKernels.TryCopy(inputs[0], output);
            case OpKind.Fill:
                return ElementwiseKernels.TryFill(output, ((ScalarAttributes)attributes).Value);
            case OpKind.Neg or OpKind.Abs or OpKind.Exp or OpKind.Log or OpKind.Sqrt or OpKind.Rsqrt or OpKind.Sin
                or OpKind.Cos or OpKind.Tanh or OpKind.Sigmoid or OpKind.Relu or OpKind.Gelu or OpKind.GeluTanh
                or OpKind.QuickGelu or OpKind.Silu or OpKind.Reciprocal or OpKind.Clamp:
                return ElementwiseKernels.TryUnary(kind, inputs[0], output, attributes);
            case OpKind.Add or OpKind.Sub or OpKind.Mul or OpKind.Div or OpKind.Pow or OpKind.Maximum or OpKind.Minimum:
                return ElementwiseKernels.TryBinary(kind, inputs, output, attributes);
            case OpKind.Where:
                return ElementwiseKernels.TryWhere(inputs[0], inputs[1], inputs[2], output);
            case OpKind.MaskedFill:
                return ElementwiseKernels.TryMaskedFill(inputs[0], inputs[1], ((ScalarAttributes)attributes).Value, output);
            case OpKind.Linear:
                MatmulKernels.Linear(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output);
                return true;
            case OpKind.Matmul:
                MatmulKernels.Matmul(inputs[0], inputs[1], output);
                return true;
            case OpKind.Conv2d:
                ConvKernels.Conv2d(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output, (Conv2dAttributes)attributes);
                return true;
            case OpKind.ConvTranspose2d:
                ConvKernels.ConvTranspose2d(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output, (Conv2dAttributes)attributes);
                return true;
            case OpKind.LayerNorm:
                NormKernels.LayerNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                return true;
            case OpKind.GroupNorm:
                NormKernels.GroupNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                return true;
            case OpKind.RmsNorm:
                NormKernels.RmsNorm(inputs[0], inputs[1], output, (NormAttributes)attributes);
                return true;
            case OpKind.Softmax or OpKind.LogSoftmax:
                NormKernels.Softmax(inputs[0], output, ((DimAttributes)attributes).Dim, kind == OpKind.LogSoftmax);
                return true;
            case OpKind.ScaledDotProductAttention:
                AttentionKernel.Run(inputs[0], inputs[1], inputs[2], Optional(inputs, 3), output, (AttentionAttributes)attributes);
                return true;
            case OpKind.Rope:
                RopeKernel.Run(inputs[0], inputs[1], output, (RopeAttributes)attributes);
                return true;
            case OpKind.Embedding:
                return IndexKernels.TryEmbedding(inputs[0], inputs[1], output);
            case OpKind.Cat:
                return IndexKernels.TryCat(inputs, output, ((DimAttributes)attributes).Dim);
            case OpKind.InterpolateNearest:
                return IndexKernels.TryInterpolateNearest(inputs[0], output, (InterpolateAttributes)attributes);
            case OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Argmax or OpKind.Argmin or OpKind.Var:
                return ReductionKernels.TryReduce(kind, inputs[0], output, (ReduceAttributes)attributes);
            case OpKind.TopK or OpKind.Sort:
                return SortKernels.TrySortLike(inputs[0], outputs[0], outputs[1], attributes);
            default:
                return false;
        }
    }

    private static Tensor? Optional(ReadOnlySpan<Tensor> inputs, int index) => inputs.Length > index ? inputs[index] : null;
}
