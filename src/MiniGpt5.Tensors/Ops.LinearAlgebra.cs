using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Matrix products and convolutions.
public static partial class Ops
{
    /// <summary>
    /// torch.matmul: dot product (1-D·1-D), matrix-vector, vector-matrix, and batched matrix products with the batch
    /// dims broadcast. Operands share a float dtype, except that <paramref name="b"/> may be float16/bfloat16 when
    /// <paramref name="a"/> is float32 (weights stored in half precision; the result is float32).
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b, Tensor? output = null)
    {
        RequireFloat(a, nameof(Matmul), nameof(a));
        RequireFloat(b, nameof(Matmul), nameof(b));
        var dtype = ProductType(a, b, nameof(Matmul));
        RequireSeparateOutput(output, nameof(Matmul), a, b);
        var shape = MatmulLayout.OutputShape(a.Shape, b.Shape);
        var result = Prepare(output, shape, dtype, a.Device, nameof(Matmul));
        return Run(OpKind.Matmul, [a, b], result, OpAttributes.None, output);
    }

    /// <summary>
    /// F.linear: y = x·weightᵀ + bias with x [..., in], weight [out, in], bias [out]. The weight may be
    /// float16/bfloat16 with float32 activations (converted block by block inside the GEMM, never as a whole copy).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null, Tensor? output = null)
    {
        RequireFloat(x, nameof(Linear), nameof(x));
        RequireFloat(weight, nameof(Linear), nameof(weight));
        RequireRank(weight, 2, nameof(Linear), nameof(weight), "[out_features, in_features]");
        if (x.Rank == 0 || x.Shape[^1] != weight.Shape[1])
        {
            throw new TensorShapeException(
                $"Linear: input {ShapeMath.Format(x.Shape)} does not end in in_features = {weight.Shape[1]} (weight {ShapeMath.Format(weight.Shape)}).");
        }

        if (bias is not null)
        {
            RequireFloat(bias, nameof(Linear), nameof(bias));
            if (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])
            {
                throw new TensorShapeException(
                    $"Linear: bias {ShapeMath.Format(bias.Shape)} does not match out_features = {weight.Shape[0]}.");
            }
        }

        var dtype = ProductType(x, weight, nameof(Linear));
        RequireSeparateOutput(output, nameof(Linear), x, weight, bias);
        int[] shape = [.. x.Shape[..^1], weight.Shape[0]];
        var result = Prepare(output, shape, dtype, x.Device, nameof(Linear));
        return bias is null
            ? Run(OpKind.Linear, [x, weight], result, OpAttributes.None, output)
            : Run(OpKind.Linear, [x, weight, bias], result, OpAttributes.None, output);
    }

    /// <summary>F.conv2d with the same stride, padding and dilation for height and width.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>F.conv2d: x [N, C_in, H, W], weight [C_out, C_in/groups, kH, kW], bias [C_out].</summary>
    public static Tensor Conv2d(
        Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        const string Op = nameof(Conv2d);
        CheckConvArguments(x, weight, bias, stride, padding, dilation, groups, Op);
        if (x.Shape[1] != weight.Shape[1] * groups || weight.Shape[0] % groups != 0)
        {
            throw new TensorShapeException(
                $"{Op}: input {ShapeMath.Format(x.Shape)} has {x.Shape[1]} channels but weight {ShapeMath.Format(weight.Shape)} with groups={groups} expects {weight.Shape[1] * groups} (and C_out divisible by groups).");
        }

        CheckBias(bias, weight.Shape[0], Op);
        var ho = ((x.Shape[2] + (2 * padding.H) - (dilation.H * (weight.Shape[2] - 1)) - 1) / stride.H) + 1;
        var wo = ((x.Shape[3] + (2 * padding.W) - (dilation.W * (weight.Shape[3] - 1)) - 1) / stride.W) + 1;
        if (ho <= 0 || wo <= 0)
        {
            throw new TensorShapeException(
                $"{Op}: input {ShapeMath.Format(x.Shape)} is smaller than the dilated kernel {ShapeMath.Format(weight.Shape)} with padding {padding}.");
        }

        var attributes = new Conv2dAttributes(stride, padding, dilation, groups);
        var result = Tensor.Empty([x.Shape[0], weight.Shape[0], ho, wo], ProductType(x, weight, Op), x.Device);
        return bias is null
            ? Run(OpKind.Conv2d, [x, weight], result, attributes, null)
            : Run(OpKind.Conv2d, [x, weight, bias], result, attributes, null);
    }

    /// <summary>F.conv_transpose2d with square parameters.</summary>
    public static Tensor ConvTranspose2d(
        Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
        ConvTranspose2d(x, weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, (dilation, dilation));

    /// <summary>F.conv_transpose2d: x [N, C_in, H, W], weight [C_in, C_out/groups, kH, kW], bias [C_out]; output size
    /// (H-1)·stride - 2·padding + dilation·(k-1) + output_padding + 1.</summary>
    public static Tensor ConvTranspose2d(
        Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) outputPadding, int groups, (int H, int W) dilation)
    {
        const string Op = nameof(ConvTranspose2d);
        CheckConvArguments(x, weight, bias, stride, padding, dilation, groups, Op);
        if (x.Shape[1] != weight.Shape[0] || weight.Shape[0] % groups != 0)
        {
            throw new TensorShapeException(
                $"{Op}: input {ShapeMath.Format(x.Shape)} has {x.Shape[1]} channels but weight {ShapeMath.Format(weight.Shape)} expects {weight.Shape[0]} (divisible by groups={groups}).");
        }

        if (outputPadding.H < 0 || outputPadding.W < 0 || (outputPadding.H >= stride.H && outputPadding.H >= dilation.H)
            || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
        {
            throw new TensorShapeException($"{Op}: output padding {outputPadding} must be smaller than the stride {stride} or the dilation {dilation}.");
        }

        var cout = weight.Shape[1] * groups;
        CheckBias(bias, cout, Op);
        var ho = ((x.Shape[2] - 1) * stride.H) - (2 * padding.H) + (dilation.H * (weight.Shape[2] - 1)) + outputPadding.H + 1;
        var wo = ((x.Shape[3] - 1) * stride.W) - (2 * padding.W) + (dilation.W * (weight.Shape[3] - 1)) + outputPadding.W + 1;
        if (ho <= 0 || wo <= 0)
        {
            throw new TensorShapeException($"{Op}: the output size {ho}x{wo} for input {ShapeMath.Format(x.Shape)} is not positive.");
        }

        var attributes = new Conv2dAttributes(stride, padding, dilation, groups, outputPadding);
        var result = Tensor.Empty([x.Shape[0], cout, ho, wo], ProductType(x, weight, Op), x.Device);
        return bias is null
            ? Run(OpKind.ConvTranspose2d, [x, weight], result, attributes, null)
            : Run(OpKind.ConvTranspose2d, [x, weight, bias], result, attributes, null);
    }

    /// <summary>Result dtype of a product: equal float dtypes, or float32 activations with a half-precision weight.</summary>
    private static DType ProductType(Tensor a, Tensor b, string op)
    {
        if (a.DType == b.DType)
        {
            return a.DType;
        }

        if (a.DType == DType.Float32 && b.DType is DType.Float16 or DType.BFloat16)
        {
            return DType.Float32;
        }

        throw new TensorDTypeException(
            $"{op}: dtypes {a.DType.TorchName()} and {b.DType.TorchName()} do not mix ({a.Describe()} and {b.Describe()}); " +
            "the only mixed form allowed is float32 activations with a float16/bfloat16 weight.");
    }

    private static void CheckConvArguments(
        Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups, string op)
    {
        RequireFloat(x, op, nameof(x));
        RequireFloat(weight, op, nameof(weight));
        RequireRank(x, 4, op, "input", "[N, C, H, W]");
        RequireRank(weight, 4, op, nameof(weight), "[C_out, C_in/groups, kH, kW] (or [C_in, C_out/groups, kH, kW] when transposed)");
        if (bias is not null)
        {
            RequireFloat(bias, op, nameof(bias));
        }

        if (stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.H < 0 || padding.W < 0 || groups <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(stride), $"{op}: stride {stride} and dilation {dilation} must be positive, padding {padding} non-negative, groups {groups} positive.");
        }
    }

    private static void CheckBias(Tensor? bias, int channels, string op)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != channels))
        {
            throw new TensorShapeException($"{op}: bias {ShapeMath.Format(bias.Shape)} does not match {channels} output channels.");
        }
    }
}
