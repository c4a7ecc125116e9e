using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Matrix products and convolutions. Half-precision operands (frozen bf16 weights) are only ever the second
// operand of a product, which the engine accepts beside float32 activations; a half-precision first operand is
// widened first.
internal static partial class OpGradients
{
    private static Tensor?[] MatmulBackward(OpGradFunction node, Tensor g)
    {
        var aShape = node.InputShapes[0];
        var bShape = node.InputShapes[1];
        // torch.matmul promotes 1-D operands to matrices and removes the added dim again; undo that on g.
        int[] a2Shape = aShape.Length == 1 ? [1, aShape[0]] : aShape;
        int[] b2Shape = bShape.Length == 1 ? [bShape[0], 1] : bShape;
        using var g2 = (aShape.Length, bShape.Length) switch
        {
            (1, 1) => g.Reshape(1, 1),
            (1, _) => g.Unsqueeze(-2),
            (_, 1) => g.Unsqueeze(-1),
            _ => g.Alias(),
        };

        Tensor? ga = null;
        Tensor? gb = null;
        if (node.Needs(0))
        {
            using var b2 = node.Input(1).Reshape(b2Shape);
            using var bt = b2.Transpose(-1, -2);
            using var full = Ops.Matmul(g2, bt);
            using var reduced = GradMath.ReduceToShape(full, a2Shape);
            ga = reduced.Reshape(aShape);
        }

        if (node.Needs(1))
        {
            using var a2 = node.Input(0).Reshape(a2Shape);
            using var aFloat = GradMath.Float(a2);
            if (b2Shape.Length == 2 && a2Shape.Length > 2)
            {
                // A shared weight b [K, N] against a batch of a [..., M, K]: fold the batch into rows.
                var k = a2Shape[^1];
                using var rows = aFloat.Reshape(-1, k);
                using var gRows = g2.Reshape(-1, b2Shape[1]);
                using var rowsT = rows.Transpose(0, 1);
                using var product = Ops.Matmul(rowsT, gRows);
                gb = product.Reshape(bShape);
            }
            else
            {
                using var at = aFloat.Transpose(-1, -2);
                using var full = Ops.Matmul(at, g2);
                using var reduced = GradMath.ReduceToShape(full, b2Shape);
                gb = reduced.Reshape(bShape);
            }
        }

        return [ga, gb];
    }

    private static Tensor?[] LinearBackward(OpGradFunction node, Tensor g)
    {
        var xShape = node.InputShapes[0];
        var wShape = node.InputShapes[1];
        var result = new Tensor?[node.InputCount];
        if (node.Needs(0))
        {
            // x [..., in]: g [..., out] · W [out, in].
            result[0] = Ops.Matmul(g, node.Input(1));
        }

        if (node.Needs(1))
        {
            // W [out, in] = gᵀ [out, N] · x [N, in] with every leading dim folded into N.
            using var x = GradMath.Float(node.Input(0));
            using var rows = x.Reshape(-1, wShape[1]);
            using var gRows = g.Reshape(-1, wShape[0]);
            using var gT = gRows.Transpose(0, 1);
            result[1] = Ops.Matmul(gT, rows);
        }

        if (node.InputCount > 2 && node.Needs(2))
        {
            result[2] = GradMath.SumOver(g, GradMath.LeadingDims(xShape.Length, 1));
        }

        return result;
    }

    private static Tensor?[] Conv2dBackward(OpGradFunction node, Tensor g)
    {
        var a = (Conv2dAttributes)node.Attributes;
        var xShape = node.InputShapes[0];
        var wShape = node.InputShapes[1];
        var result = new Tensor?[node.InputCount];
        if (node.Needs(0))
        {
            // The input gradient of a convolution is the transposed convolution of g with the same weight; the output
            // padding restores the rows/columns that the forward's stride dropped.
            var opH = xShape[2] - (((g.Shape[2] - 1) * a.Stride.H) - (2 * a.Padding.H) + (a.Dilation.H * (wShape[2] - 1)) + 1);
            var opW = xShape[3] - (((g.Shape[3] - 1) * a.Stride.W) - (2 * a.Padding.W) + (a.Dilation.W * (wShape[3] - 1)) + 1);
            result[0] = ConvolutionKernels.InputGradientApplies(g, node.Input(1), a) && opH == 0 && opW == 0
                ? ConvolutionKernels.InputGradient(g, node.Input(1), a)
                : Ops.ConvTranspose2d(g, node.Input(1), null, a.Stride, a.Padding, (opH, opW), a.Groups, a.Dilation);
        }

        if (node.Needs(1))
        {
            // dW[co, ci, kh, kw] = Σ_n g[n, co, :] · cols(x)[n, (ci, kh, kw), :], one group at a time.
            using var x = GradMath.Float(node.Input(0));
            result[1] = ConvolutionKernels.Applies(x, node.InputDTypes[1], g, a)
                ? ConvolutionKernels.WeightGradient(x, g, (wShape[2], wShape[3]), a)
                : ConvWeightGradient(
                    unfolded: x, other: g, a.Groups, unfoldChannels: wShape[1], otherChannels: wShape[0] / a.Groups,
                    kernel: (wShape[2], wShape[3]), a, outputSize: (g.Shape[2], g.Shape[3]));
        }

        if (node.InputCount > 2 && node.Needs(2))
        {
            result[2] = GradMath.Sum(g, [0, 2, 3]);
        }

        return result;
    }

    private static Tensor?[] ConvTranspose2dBackward(OpGradFunction node, Tensor g)
    {
        var a = (Conv2dAttributes)node.Attributes;
        var xShape = node.InputShapes[0];
        var wShape = node.InputShapes[1];
        var result = new Tensor?[node.InputCount];
        if (node.Needs(0))
        {
            // The input gradient of a transposed convolution is the plain convolution of g with the same weight.
            using var full = Ops.Conv2d(g, node.Input(1), null, a.Stride, a.Padding, a.Dilation, a.Groups);
            result[0] = full.Shape[2] == xShape[2] && full.Shape[3] == xShape[3]
                ? full.Alias()
                : full.Slice(2, 0, xShape[2]).Slice(3, 0, xShape[3]).Contiguous();
        }

        if (node.Needs(1))
        {
            // dW[ci, co, kh, kw] = Σ_n x[n, ci, :] · cols(g)[n, (co, kh, kw), :] where cols(g) is g unfolded with the
            // forward's stride/padding/dilation at the input's positions.
            using var x = GradMath.Float(node.Input(0));
            result[1] = ConvWeightGradient(
                unfolded: g, other: x, a.Groups, unfoldChannels: wShape[1], otherChannels: wShape[0] / a.Groups,
                kernel: (wShape[2], wShape[3]), a, outputSize: (xShape[2], xShape[3]));
        }

        if (node.InputCount > 2 && node.Needs(2))
        {
            result[2] = GradMath.Sum(g, [0, 2, 3]);
        }

        return result;
    }

    /// <summary>
    /// The weight gradient of a (transposed) convolution, group by group: unfold <paramref name="unfolded"/> into
    /// columns [N, C·kh·kw, outH·outW] and contract with <paramref name="other"/> [N, C', outH·outW] over N and the
    /// positions, giving [C', C, kh, kw] per group, joined along dim 0. For conv2d, unfolded = x and other = g
    /// ([C_out, C_in/g, kh, kw]); for the transposed convolution, unfolded = g and other = x ([C_in, C_out/g, kh, kw]).
    /// </summary>
    private static Tensor ConvWeightGradient(
        Tensor unfolded, Tensor other, int groups, int unfoldChannels, int otherChannels, (int H, int W) kernel,
        Conv2dAttributes a, (int H, int W) outputSize)
    {
        var n = unfolded.Shape[0];
        var positions = outputSize.H * outputSize.W;
        var parts = new Tensor[groups];
        try
        {
            for (var group = 0; group < groups; group++)
            {
                using var unfoldPart = groups == 1 ? unfolded.Alias() : unfolded.Narrow(1, group * unfoldChannels, unfoldChannels);
                using var otherPart = groups == 1 ? other.Alias() : other.Narrow(1, group * otherChannels, otherChannels);
                using var columns = Unfold(unfoldPart, kernel, a.Stride, a.Padding, a.Dilation, outputSize);
                using var otherRows = otherPart.Reshape(n, otherChannels, positions);
                using var columnsT = columns.Transpose(1, 2);
                // [N, C', P] · [N, P, C·kh·kw] → [N, C', C·kh·kw], summed over N.
                using var perSample = Ops.Matmul(otherRows, columnsT);
                using var summed = GradMath.Sum(perSample, [0]);
                parts[group] = summed.Reshape(otherChannels, unfoldChannels, kernel.H, kernel.W);
            }

            return groups == 1 ? parts[0].Alias() : Ops.Cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts)
            {
                part?.Dispose();
            }
        }
    }

    /// <summary>
    /// im2col: x [N, C, H, W] → [N, C·kh·kw, outH·outW] with column (c, i, j) at output position (oy, ox) holding
    /// x[c, oy·s + i·d - p, ox·s + j·d - p] (0 outside), the layout that matches a [C', C, kh, kw] weight.
    /// </summary>
    private static Tensor Unfold(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, (int H, int W) outputSize)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var (outH, outW) = outputSize;
        if (kernel == (1, 1) && stride == (1, 1) && padding == (0, 0) && outH == h && outW == w)
        {
            return x.Reshape(n, c, h * w);
        }

        // The padded input must reach the last tap of the last output position.
        var paddedH = Math.Max(h + (2 * padding.H), ((outH - 1) * stride.H) + ((kernel.H - 1) * dilation.H) + 1);
        var paddedW = Math.Max(w + (2 * padding.W), ((outW - 1) * stride.W) + ((kernel.W - 1) * dilation.W) + 1);
        using var padded = paddedH == h && paddedW == w
            ? x.Alias()
            : GradMath.ScatterIntoZeros([n, c, paddedH, paddedW], x.Device, x, z => z.Slice(2, padding.H, padding.H + h).Slice(3, padding.W, padding.W + w));
        var taps = new Tensor[kernel.H * kernel.W];
        try
        {
            for (var i = 0; i < kernel.H; i++)
            {
                for (var j = 0; j < kernel.W; j++)
                {
                    var top = i * dilation.H;
                    var left = j * dilation.W;
                    using var rows = padded.Slice(2, top, top + ((outH - 1) * stride.H) + 1, stride.H);
                    taps[(i * kernel.W) + j] = rows.Slice(3, left, left + ((outW - 1) * stride.W) + 1, stride.W);
                }
            }

            // [N, C, kh·kw, outH, outW] → [N, C·kh·kw, outH·outW].
            using var stacked = Ops.Stack(taps, 2);
            return stacked.Reshape(n, c * kernel.H * kernel.W, outH * outW);
        }
        finally
        {
            foreach (var tap in taps)
            {
                tap?.Dispose();
            }
        }
    }
}
