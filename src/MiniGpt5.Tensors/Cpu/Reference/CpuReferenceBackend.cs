using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>
/// The plain CPU implementation of every op: loops over logical indices in double precision (long for integers),
/// one rounding to the output dtype. It is the oracle the fast kernels are tested against; swap it in with
/// <c>using var _ = Backends.Use(CpuReferenceBackend.Instance);</c> to rule out a kernel bug.
/// </summary>
public sealed class CpuReferenceBackend : IBackend
{
    private CpuReferenceBackend()
    {
    }

    /// <summary>The single instance.</summary>
    public static CpuReferenceBackend Instance { get; } = new();

    /// <inheritdoc />
    public Device Device => Device.Cpu;

    /// <inheritdoc />
    public string Name => "cpu-reference";

    /// <inheritdoc />
    public TensorStorage Allocate(long byteLength, bool zeroed) => CpuMemory.Allocate(byteLength, zeroed);

    /// <inheritdoc />
    public bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) =>
        kind is not (OpKind.Alias or OpKind.Reshape or OpKind.Permute or OpKind.Slice or OpKind.Select or OpKind.Expand);

    /// <inheritdoc />
    public void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset) =>
        CpuMemory.CopyFromHost(source, destination, destinationByteOffset);

    /// <inheritdoc />
    public void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination) =>
        CpuMemory.CopyToHost(source, sourceByteOffset, destination);

    /// <inheritdoc />
    public void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        var output = outputs[0];
        switch (kind)
        {
            case OpKind.Copy:
                ReferenceElementwise.Copy(inputs[0], output);
                break;
            case OpKind.Fill:
                ReferenceElementwise.Fill(output, ((ScalarAttributes)attributes).Value);
                break;
            case OpKind.Neg or OpKind.Abs or OpKind.Exp or OpKind.Log or OpKind.Sqrt or OpKind.Rsqrt or OpKind.Sin
                or OpKind.Cos or OpKind.Tanh or OpKind.Sigmoid or OpKind.Relu or OpKind.Gelu or OpKind.GeluTanh
                or OpKind.QuickGelu or OpKind.Silu or OpKind.Reciprocal or OpKind.LogicalNot or OpKind.Clamp:
                ReferenceElementwise.Unary(kind, inputs[0], output, attributes);
                break;
            case OpKind.Add or OpKind.Sub or OpKind.Mul or OpKind.Div or OpKind.Pow or OpKind.Maximum or OpKind.Minimum
                or OpKind.Eq or OpKind.Ne or OpKind.Lt or OpKind.Le or OpKind.Gt or OpKind.Ge
                or OpKind.LogicalAnd or OpKind.LogicalOr:
                ReferenceElementwise.Binary(kind, inputs, output, attributes);
                break;
            case OpKind.Where:
                ReferenceElementwise.Where(inputs[0], inputs[1], inputs[2], output);
                break;
            case OpKind.MaskedFill:
                ReferenceElementwise.MaskedFill(inputs[0], inputs[1], ((ScalarAttributes)attributes).Value, output);
                break;
            case OpKind.Matmul:
                ReferenceLinearAlgebra.Matmul(inputs[0], inputs[1], output);
                break;
            case OpKind.Linear:
                ReferenceLinearAlgebra.Linear(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output);
                break;
            case OpKind.Conv2d:
                ReferenceLinearAlgebra.Conv2d(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output, (Conv2dAttributes)attributes);
                break;
            case OpKind.ConvTranspose2d:
                ReferenceLinearAlgebra.ConvTranspose2d(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output, (Conv2dAttributes)attributes);
                break;
            case OpKind.LayerNorm:
                ReferenceNormalization.LayerNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                break;
            case OpKind.GroupNorm:
                ReferenceNormalization.GroupNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                break;
            case OpKind.RmsNorm:
                ReferenceNormalization.RmsNorm(inputs[0], inputs[1], output, (NormAttributes)attributes);
                break;
            case OpKind.Softmax or OpKind.LogSoftmax:
                ReferenceNormalization.Softmax(inputs[0], output, ((DimAttributes)attributes).Dim, kind == OpKind.LogSoftmax);
                break;
            case OpKind.ScaledDotProductAttention:
                ReferenceAttention.ScaledDotProductAttention(
                    inputs[0], inputs[1], inputs[2], Optional(inputs, 3), output, (AttentionAttributes)attributes);
                break;
            case OpKind.Rope:
                ReferenceAttention.Rope(inputs[0], inputs[1], output, (RopeAttributes)attributes);
                break;
            case OpKind.Embedding:
                ReferenceIndexing.Embedding(inputs[1], inputs[0], output);
                break;
            case OpKind.IndexSelect:
                ReferenceIndexing.IndexSelect(inputs[0], inputs[1], output, ((DimAttributes)attributes).Dim);
                break;
            case OpKind.Gather:
                ReferenceIndexing.Gather(inputs[0], inputs[1], output, ((DimAttributes)attributes).Dim);
                break;
            case OpKind.Scatter or OpKind.ScatterAdd:
                ReferenceIndexing.Scatter(inputs[0], inputs[1], inputs[2], output, ((DimAttributes)attributes).Dim, kind == OpKind.ScatterAdd);
                break;
            case OpKind.Cat:
                ReferenceIndexing.Cat(inputs, output, ((DimAttributes)attributes).Dim);
                break;
            case OpKind.InterpolateNearest:
                ReferenceIndexing.InterpolateNearest(inputs[0], output, (InterpolateAttributes)attributes);
                break;
            case OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Argmax or OpKind.Argmin or OpKind.Var:
                ReferenceReductions.Reduce(kind, inputs[0], output, (ReduceAttributes)attributes);
                break;
            case OpKind.Cumsum:
                ReferenceReductions.Cumsum(inputs[0], output, ((DimAttributes)attributes).Dim);
                break;
            case OpKind.TopK:
                ReferenceSorting.TopK(inputs[0], outputs[0], outputs[1], (TopKAttributes)attributes);
                break;
            case OpKind.Sort:
                ReferenceSorting.Sort(inputs[0], outputs[0], outputs[1], (SortAttributes)attributes);
                break;
            case OpKind.Multinomial:
                ReferenceSorting.Multinomial(inputs[0], output, (MultinomialAttributes)attributes);
                break;
            default:
                throw new NotSupportedException($"The {Name} backend does not run {kind}: views never reach a backend.");
        }
    }

    private static Tensor? Optional(ReadOnlySpan<Tensor> inputs, int index) => inputs.Length > index ? inputs[index] : null;
}
