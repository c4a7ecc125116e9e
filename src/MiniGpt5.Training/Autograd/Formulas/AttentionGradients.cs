using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Scaled-dot-product attention and rotary embeddings.
internal static partial class OpGradients
{
    /// <summary>Score elements (batch · query rows · keys) materialised at once in the attention backward
    /// (16 MiB of float32). Settable so tests can force several tiles on small shapes.</summary>
    internal static long AttentionTileElements { get; set; } = 1L << 22;

    /// <summary>
    /// The attention backward recomputes the scores from the saved q, k (the forward never materialised them)
    /// one block of query rows at a time, so memory stays at batch·rows·S floats (at most
    /// <see cref="AttentionTileElements"/>) whatever L is:
    /// P = softmax(s·qkᵀ + mask); dV += Pᵀ·dO; dP = dO·Vᵀ; dS = P∘(dP − rowsum(dO∘O));
    /// dQ = s·dS·K; dK += s·dSᵀ·Q; an additive mask gets dS.
    /// </summary>
    private static Tensor?[] AttentionBackward(OpGradFunction node, Tensor g)
    {
        var a = (AttentionAttributes)node.Attributes;
        var qShape = node.InputShapes[0];
        var kShape = node.InputShapes[1];
        var vShape = node.InputShapes[2];
        var hasMask = node.InputCount > 3;
        using var q0 = GradMath.Float(node.Input(0));
        using var k0 = GradMath.Float(node.Input(1));
        using var v0 = GradMath.Float(node.Input(2));
        using var o0 = GradMath.Float(node.Output(0));
        var mask0 = hasMask ? node.Input(3) : null;
        var rank = qShape.Length;
        int l = qShape[^2], s = kShape[^2];

        // Grouped-query attention: query heads h = kv·G + i share key/value head kv. Split the query heads into
        // (kv heads, G) and give keys/values a size-1 group dim, so matmul broadcasting does the sharing.
        var grouped = a.EnableGqa && rank >= 3 && qShape[^3] != kShape[^3];
        using var q = grouped ? SplitHeads(q0, kShape[^3]) : q0.Alias();
        using var gOut = grouped ? SplitHeads(g, kShape[^3]) : g.Alias();
        using var o = grouped ? SplitHeads(o0, kShape[^3]) : o0.Alias();
        using var k = grouped ? k0.Unsqueeze(-3) : k0.Alias();
        using var v = grouped ? v0.Unsqueeze(-3) : v0.Alias();
        using var mask = mask0 is null ? null : grouped ? GroupMask(mask0, qShape, kShape[^3]) : mask0.Alias();

        using var kT = k.Transpose(-1, -2);
        using var vT = v.Transpose(-1, -2);
        var batch = 1L;
        for (var i = 0; i < q.Rank - 2; i++)
        {
            batch *= q.Shape[i];
        }

        var rows = (int)Math.Clamp(AttentionTileElements / Math.Max(1, batch * s), 1, l);
        var dqTiles = new List<Tensor>();
        var dMaskTiles = new List<Tensor>();
        Tensor? dk = null;
        Tensor? dv = null;
        try
        {
            for (var start = 0; start < l; start += rows)
            {
                var count = Math.Min(rows, l - start);
                using var tileScope = TensorScope.Enter();
                using var qt = q.Narrow(-2, start, count);
                using var gt = gOut.Narrow(-2, start, count);
                using var ot = o.Narrow(-2, start, count);
                using var raw = Ops.Matmul(qt, kT);
                var scores = raw * a.Scale;
                if (mask is not null)
                {
                    using var mt = mask.Rank < 2 || mask.Shape[^2] == 1 ? mask.Alias() : mask.Narrow(-2, start, count);
                    if (mask.DType == DType.Bool)
                    {
                        using var blocked = Ops.LogicalNot(mt);
                        scores = Ops.MaskedFill(scores, blocked, double.NegativeInfinity);
                    }
                    else
                    {
                        scores = scores + mt;
                    }
                }
                else if (a.IsCausal)
                {
                    using var blocked = CausalBlock(start, count, l, s, a.CausalVariant, q.Device);
                    scores = Ops.MaskedFill(scores, blocked, double.NegativeInfinity);
                }

                using var p = Ops.Softmax(scores, -1);
                if (node.Needs(2))
                {
                    using var pT = p.Transpose(-1, -2);
                    var dvTile = Ops.Matmul(pT, gt);
                    dv = Accumulate(dv, dvTile);
                }

                using var dp = Ops.Matmul(gt, vT);
                using var delta = Ops.Sum(gt * ot, -1, keepDim: true);
                using var ds = p * (dp - delta);
                if (node.Needs(0))
                {
                    using var dqRaw = Ops.Matmul(ds, k);
                    dqTiles.Add((dqRaw * a.Scale).DetachFromScope());
                }

                if (node.Needs(1))
                {
                    using var dsT = ds.Transpose(-1, -2);
                    using var dkRaw = Ops.Matmul(dsT, qt);
                    dk = Accumulate(dk, dkRaw * a.Scale);
                }

                if (hasMask && node.Needs(3))
                {
                    dMaskTiles.Add(ds.Alias().DetachFromScope());
                }
            }

            var result = new Tensor?[node.InputCount];
            if (node.Needs(0))
            {
                using var dq = dqTiles.Count == 1 ? dqTiles[0].Alias() : Ops.Cat(dqTiles.ToArray(), -2);
                result[0] = dq.Reshape(qShape);
            }

            if (dk is not null)
            {
                result[1] = ReduceKeyValue(dk, kShape, grouped);
            }

            if (dv is not null)
            {
                result[2] = ReduceKeyValue(dv, vShape, grouped);
            }

            if (hasMask && node.Needs(3))
            {
                using var dMask = dMaskTiles.Count == 1 ? dMaskTiles[0].Alias() : Ops.Cat(dMaskTiles.ToArray(), -2);
                using var unsplit = grouped ? dMask.Reshape([.. qShape[..^2], l, s]) : dMask.Alias();
                result[3] = GradMath.ReduceToShape(unsplit, node.InputShapes[3]);
            }

            return result;
        }
        finally
        {
            dk?.Dispose();
            dv?.Dispose();
            foreach (var tile in dqTiles.Concat(dMaskTiles))
            {
                tile.Dispose();
            }
        }
    }

    /// <summary>Adds a tile's contribution (moved out of the tile scope) into a running sum.</summary>
    private static Tensor Accumulate(Tensor? sum, Tensor tile)
    {
        tile.DetachFromScope();
        if (sum is null)
        {
            return tile;
        }

        var total = Ops.Add(sum, tile).DetachFromScope();
        sum.Dispose();
        tile.Dispose();
        return total;
    }

    /// <summary>[..., Hq, L, E] → [..., Hkv, G, L, E].</summary>
    private static Tensor SplitHeads(Tensor x, int kvHeads)
    {
        var shape = x.ShapeArray();
        int[] split = [.. shape[..^3], kvHeads, shape[^3] / kvHeads, shape[^2], shape[^1]];
        return x.Reshape(split);
    }

    /// <summary>A mask broadcastable to [..., Hq, L, S], made explicit and split like the query heads.</summary>
    private static Tensor GroupMask(Tensor mask, int[] qShape, int kvHeads)
    {
        int[] full = [.. qShape[..^2], qShape[^2], mask.Shape[^1]];
        using var expanded = mask.Expand(ExpandTarget(mask.ShapeArray(), full));
        using var contiguous = expanded.Contiguous();
        return SplitHeads(contiguous, kvHeads);
    }

    private static int[] ExpandTarget(int[] maskShape, int[] full)
    {
        // Keep the mask's own size where it is not 1 (its key dim always matches S).
        var target = (int[])full.Clone();
        var lead = full.Length - maskShape.Length;
        for (var i = 0; i < maskShape.Length; i++)
        {
            if (maskShape[i] != 1)
            {
                target[i + lead] = maskShape[i];
            }
        }

        return target;
    }

    /// <summary>Sums a key/value gradient over the query-head groups and broadcast batch dims.</summary>
    private static Tensor ReduceKeyValue(Tensor gradient, int[] shape, bool grouped)
    {
        if (!grouped)
        {
            return GradMath.ReduceToShape(gradient, shape);
        }

        int[] withGroup = [.. shape[..^2], 1, shape[^2], shape[^1]];
        using var reduced = GradMath.ReduceToShape(gradient, withGroup);
        return reduced.Reshape(shape);
    }

    /// <summary>True where query row (start + r) may not see key j: j &gt; i (upper-left) or j &gt; i + S − L (lower-right).</summary>
    private static Tensor CausalBlock(int start, int count, int l, int s, CausalVariant variant, Device device)
    {
        var offset = variant == CausalVariant.LowerRight ? s - l : 0;
        var blocked = new bool[count * s];
        for (var r = 0; r < count; r++)
        {
            var last = start + r + offset;
            for (var j = 0; j < s; j++)
            {
                blocked[(r * s) + j] = j > last;
            }
        }

        using var host = Tensor.FromArray<bool>(blocked, [count, s]);
        return host.To(device);
    }

    private static Tensor?[] RopeBackward(OpGradFunction node, Tensor g)
    {
        // The rotation by −θ is the transpose of the rotation by θ: rope with negated positions.
        var theta = ((RopeAttributes)node.Attributes).Base;
        using var negated = Ops.Neg(node.Input(1));
        return [Ops.Rope(g, negated, theta), null];
    }
}
