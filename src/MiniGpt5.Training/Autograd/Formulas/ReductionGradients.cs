using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Reductions: the output gradient is broadcast back over the reduced dims.
internal static partial class OpGradients
{
    private static Tensor Reduction(OpGradFunction node, Tensor g)
    {
        var shape = node.InputShapes[0];
        if (node.Kind == OpKind.Cumsum)
        {
            // dx_i = Σ_{j ≥ i} g_j = total − cumsum(g)_i + g_i.
            var dim = ((DimAttributes)node.Attributes).Dim;
            using var total = GradMath.SumKeepDim(g, [dim]);
            using var prefix = Ops.Cumsum(g, dim);
            using var suffix = total - prefix;
            return suffix + g;
        }

        var a = (ReduceAttributes)node.Attributes;
        var dims = a.Dims.Length == 0 ? Enumerable.Range(0, shape.Length).ToArray() : a.Dims;
        switch (node.Kind)
        {
            case OpKind.Sum:
                return GradMath.ExpandReduced(g, shape, dims, a.KeepDim);
            case OpKind.Mean:
                {
                    using var scaled = g / GradMath.Count(shape, dims);
                    return GradMath.ExpandReduced(scaled, shape, dims, a.KeepDim);
                }

            case OpKind.Amax or OpKind.Amin:
                {
                    // Ties share the gradient evenly, as torch.amax does.
                    var keep = GradMath.KeepDimShape(shape, dims);
                    var x = node.Input(0);
                    using var extreme = node.Output(0).Reshape(keep);
                    using var hit = Ops.Eq(x, extreme);
                    using var hits = hit.To(DType.Float32);
                    using var count = GradMath.SumKeepDim(hits, dims);
                    using var gKeep = g.Reshape(keep);
                    using var share = gKeep / count;
                    return hits * share;
                }

            case OpKind.Var:
                {
                    // d var / dx = 2(x − mean)/(N − correction).
                    using var x = GradMath.Float(node.Input(0));
                    var keep = GradMath.KeepDimShape(shape, dims);
                    using var total = GradMath.SumKeepDim(x, dims);
                    using var mean = total / GradMath.Count(shape, dims);
                    using var centered = x - mean;
                    using var gKeep = g.Reshape(keep);
                    var denominator = Math.Max(0, GradMath.Count(shape, dims) - a.Correction);
                    using var scale = gKeep * (2.0 / denominator);
                    return centered * scale;
                }

            default:
                throw new InvalidOperationException($"Autograd: {node.Kind} is not a reduction.");
        }
    }
}
