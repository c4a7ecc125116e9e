using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Normalisation layers and softmax. Statistics are computed in float32 (or better) whatever the input dtype.
public static partial class Ops
{
    /// <summary>F.layer_norm over the trailing dims given by <paramref name="normalizedShape"/>; weight and bias (if
    /// given) have that shape. Output has x's dtype.</summary>
    public static Tensor LayerNorm(
        Tensor x, ReadOnlySpan<int> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5, Tensor? output = null)
    {
        const string Op = nameof(LayerNorm);
        RequireFloat(x, Op, nameof(x));
        if (normalizedShape.Length == 0 || normalizedShape.Length > x.Rank || !x.Shape[^normalizedShape.Length..].SequenceEqual(normalizedShape))
        {
            throw new TensorShapeException(
                $"{Op}: input {ShapeMath.Format(x.Shape)} does not end in the normalized shape {ShapeMath.Format(normalizedShape)}.");
        }

        CheckAffine(weight, bias, normalizedShape, Op);
        var result = Prepare(output, x.Shape, x.DType, x.Device, Op);
        return Run(OpKind.LayerNorm, AffineInputs(x, weight, bias), result, new NormAttributes(eps, NormalizedRank: normalizedShape.Length), output);
    }

    /// <summary>F.group_norm: x [N, C, *] split into <paramref name="numGroups"/> groups of channels; weight and bias
    /// are [C]. Output has x's dtype.</summary>
    public static Tensor GroupNorm(Tensor x, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5, Tensor? output = null)
    {
        const string Op = nameof(GroupNorm);
        RequireFloat(x, Op, nameof(x));
        if (x.Rank < 2 || numGroups <= 0 || x.Shape[1] % numGroups != 0)
        {
            throw new TensorShapeException(
                $"{Op}: input {ShapeMath.Format(x.Shape)} must be [N, C, *] with C divisible by {numGroups} groups.");
        }

        CheckAffine(weight, bias, [x.Shape[1]], Op);
        var result = Prepare(output, x.Shape, x.DType, x.Device, Op);
        return Run(OpKind.GroupNorm, AffineInputs(x, weight, bias), result, new NormAttributes(eps, Groups: numGroups), output);
    }

    /// <summary>
    /// LLaMA RMSNorm over the last dim, as HF computes it: x·rsqrt(mean(x²)+eps) in float32, rounded to x's dtype,
    /// then multiplied by the weight [D]. The result dtype is the promotion of x's and the weight's.
    /// </summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight, double eps = 1e-6, Tensor? output = null)
    {
        const string Op = nameof(RmsNorm);
        RequireFloat(x, Op, nameof(x));
        RequireFloat(weight, Op, nameof(weight));
        if (x.Rank == 0 || weight.Rank != 1 || weight.Shape[0] != x.Shape[^1])
        {
            throw new TensorShapeException(
                $"{Op}: weight {ShapeMath.Format(weight.Shape)} must be [D] with D the last dim of input {ShapeMath.Format(x.Shape)}.");
        }

        var dtype = DTypePromotion.ResultType(x.DType, weight.DType);
        var result = Prepare(output, x.Shape, dtype, x.Device, Op);
        return Run(OpKind.RmsNorm, [x, weight], result, new NormAttributes(eps), output);
    }

    /// <summary>F.softmax along <paramref name="dim"/> (computed in float32, output in x's dtype).</summary>
    public static Tensor Softmax(Tensor x, int dim, Tensor? output = null) => SoftmaxLike(OpKind.Softmax, x, dim, output);

    /// <summary>F.log_softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor x, int dim, Tensor? output = null) => SoftmaxLike(OpKind.LogSoftmax, x, dim, output);

    private static Tensor SoftmaxLike(OpKind kind, Tensor x, int dim, Tensor? output)
    {
        RequireFloat(x, kind.ToString(), nameof(x));
        var d = x.Rank == 0 ? 0 : ShapeMath.NormalizeDim(dim, x.Rank, kind.ToString(), x.Shape);
        var result = Prepare(output, x.Shape, x.DType, x.Device, kind.ToString());
        if (x.Rank == 0)
        {
            // A 0-dim softmax is 1 (log-softmax 0), as in PyTorch.
            return Run(OpKind.Fill, [], result, new ScalarAttributes(kind == OpKind.Softmax ? 1 : 0), output);
        }

        return Run(kind, [x], result, new DimAttributes(d), output);
    }

    private static void CheckAffine(Tensor? weight, Tensor? bias, ReadOnlySpan<int> shape, string op)
    {
        if (bias is not null && weight is null)
        {
            throw new ArgumentException($"{op}: a bias without a weight is not supported; pass a weight of ones.");
        }

        foreach (var (tensor, name) in new[] { (weight, "weight"), (bias, "bias") })
        {
            if (tensor is null)
            {
                continue;
            }

            RequireFloat(tensor, op, name);
            if (!tensor.Shape.SequenceEqual(shape))
            {
                throw new TensorShapeException($"{op}: {name} {ShapeMath.Format(tensor.Shape)} must have shape {ShapeMath.Format(shape)}.");
            }
        }
    }

    private static Tensor[] AffineInputs(Tensor x, Tensor? weight, Tensor? bias) =>
        weight is null ? [x] : bias is null ? [x, weight] : [x, weight, bias];
}
