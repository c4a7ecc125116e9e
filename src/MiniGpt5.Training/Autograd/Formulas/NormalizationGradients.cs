using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Layer, group and RMS norms and softmax. The statistics are recomputed from the saved input (cheaper to keep than
// mean and rstd per row, and the same values up to the last bit of the reduction order).
internal static partial class OpGradients
{
    private static Tensor?[] LayerNormBackward(OpGradFunction node, Tensor g)
    {
        var a = (NormAttributes)node.Attributes;
        using var x = GradMath.Float(node.Input(0));
        var dims = Enumerable.Range(x.Rank - a.NormalizedRank, a.NormalizedRank).ToArray();
        var leading = GradMath.LeadingDims(x.Rank, a.NormalizedRank);
        using var xhat = Normalized(x, dims, a.Eps, out var rstd);
        using (rstd)
        {
            var result = new Tensor?[node.InputCount];
            var weight = node.InputOrNull(1);
            if (node.Needs(0))
            {
                using var gw = weight is null ? g.Alias() : g * weight;
                result[0] = NormInputGradient(gw, xhat, rstd, dims);
            }

            if (node.InputCount > 1 && node.Needs(1))
            {
                using var product = g * xhat;
                result[1] = GradMath.SumOver(product, leading);
            }

            if (node.InputCount > 2 && node.Needs(2))
            {
                result[2] = GradMath.SumOver(g, leading);
            }

            return result;
        }
    }

    private static Tensor?[] GroupNormBackward(OpGradFunction node, Tensor g)
    {
        var a = (NormAttributes)node.Attributes;
        using var x = GradMath.Float(node.Input(0));
        if (FusedGroupNormGradient.Applies(x, g, node.Needs(0) ? node.InputOrNull(1) : null))
        {
            var (dx, dw, db) = FusedGroupNormGradient.Compute(
                x, g, node.Needs(0) ? node.InputOrNull(1) : null, a.Groups, a.Eps, node.Needs(0),
                node.InputCount > 1 && node.Needs(1), node.InputCount > 2 && node.Needs(2));
            var fused = new Tensor?[node.InputCount];
            fused[0] = dx;
            if (node.InputCount > 1)
            {
                fused[1] = dw;
            }

            if (node.InputCount > 2)
            {
                fused[2] = db;
            }

            return fused;
        }

        var shape = x.ShapeArray();
        var n = shape[0];
        // [N, C, *] → [N, G, C/G·*]: each group is one row of statistics.
        using var rows = x.Reshape(n, a.Groups, -1);
        using var xhatRows = Normalized(rows, [2], a.Eps, out var rstd);
        using (rstd)
        {
            var result = new Tensor?[node.InputCount];
            var weight = node.InputOrNull(1);
            var channelShape = Enumerable.Repeat(1, shape.Length).ToArray();
            channelShape[1] = shape[1];
            var notChannels = GradMath.AllDimsExcept(shape.Length, 1);
            if (node.Needs(0))
            {
                using var w = weight?.Reshape(channelShape);
                using var gw = w is null ? g.Alias() : g * w;
                using var gwRows = gw.Reshape(n, a.Groups, -1);
                using var dx = NormInputGradient(gwRows, xhatRows, rstd, [2]);
                result[0] = dx.Reshape(shape);
            }

            if (node.InputCount > 1 && node.Needs(1))
            {
                using var xhat = xhatRows.Reshape(shape);
                using var product = g * xhat;
                result[1] = GradMath.Sum(product, notChannels);
            }

            if (node.InputCount > 2 && node.Needs(2))
            {
                result[2] = GradMath.Sum(g, notChannels);
            }

            return result;
        }
    }

    private static Tensor?[] RmsNormBackward(OpGradFunction node, Tensor g)
    {
        var a = (NormAttributes)node.Attributes;
        using var x = GradMath.Float(node.Input(0));
        var weight = node.Input(1);
        // h = x·r with r = (mean(x²) + eps)^-½; y = w·h.
        using var square = x * x;
        using var meanSquare = Ops.Mean(square, -1, keepDim: true);
        using var r = Ops.Rsqrt(meanSquare + a.Eps);
        using var h = x * r;
        var result = new Tensor?[2];
        if (node.Needs(0))
        {
            // dx = r·(dh − h·mean(dh·h)) with dh = g·w.
            using var dh = g * weight;
            using var projection = Ops.Mean(dh * h, -1, keepDim: true);
            using var centered = dh - (h * projection);
            result[0] = centered * r;
        }

        if (node.Needs(1))
        {
            using var product = g * h;
            result[1] = GradMath.SumOver(product, GradMath.LeadingDims(x.Rank, 1));
        }

        return result;
    }

    private static Tensor?[] SoftmaxBackward(OpGradFunction node, Tensor g)
    {
        // dx = y·(g − Σ g·y).
        var dim = ((DimAttributes)node.Attributes).Dim;
        var y = node.Output(0);
        using var product = g * y;
        using var dot = GradMath.SumKeepDim(product, [dim]);
        using var centered = g - dot;
        return [centered * y];
    }

    private static Tensor?[] LogSoftmaxBackward(OpGradFunction node, Tensor g)
    {
        // dx = g − softmax(x)·Σ g, with softmax(x) = exp(y).
        var dim = ((DimAttributes)node.Attributes).Dim;
        using var softmax = Ops.Exp(node.Output(0));
        using var total = GradMath.SumKeepDim(g, [dim]);
        using var share = softmax * total;
        return [g - share];
    }

    /// <summary>(x − mean)·rstd over <paramref name="dims"/> (population variance), with rstd kept for the backward.</summary>
    private static Tensor Normalized(Tensor x, int[] dims, double eps, out Tensor rstd)
    {
        using var mean = Ops.Mean(x, dims, keepDim: true);
        using var variance = Ops.Var(x, dims, correction: 0, keepDim: true);
        using var shifted = variance + eps;
        rstd = Ops.Rsqrt(shifted);
        using var centered = x - mean;
        return centered * rstd;
    }

    /// <summary>The input gradient of a normalisation: rstd·(gw − mean(gw) − x̂·mean(gw·x̂)) over the normalised dims.</summary>
    private static Tensor NormInputGradient(Tensor gw, Tensor xhat, Tensor rstd, int[] dims)
    {
        using var meanG = Ops.Mean(gw, dims, keepDim: true);
        using var product = gw * xhat;
        using var meanProduct = Ops.Mean(product, dims, keepDim: true);
        using var centered = gw - meanG - (xhat * meanProduct);
        return centered * rstd;
    }
}
