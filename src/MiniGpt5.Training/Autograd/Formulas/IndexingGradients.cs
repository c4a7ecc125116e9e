using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Lookups, joins, scatters, sorting and nearest-neighbour resizing: gradients flow back along the same indices
// (scatter-add where several outputs read one input element).
internal static partial class OpGradients
{
    private static Tensor?[] EmbeddingBackward(OpGradFunction node, Tensor g)
    {
        // dW[id] += g[position] for every position holding id.
        var weightShape = node.InputShapes[1];
        var dim = weightShape[1];
        using var ids = node.Input(0).Reshape(-1, 1);
        using var index = ids.Expand(ids.Shape[0], dim).Contiguous();
        using var rows = g.Reshape(-1, dim);
        using var zeros = GradMath.Zeros(weightShape, node.InputDevices[1]);
        return [null, Ops.ScatterAdd(zeros, 0, index, rows)];
    }

    private static Tensor?[] IndexSelectBackward(OpGradFunction node, Tensor g)
    {
        var d = ((DimAttributes)node.Attributes).Dim;
        var index = node.Input(1);
        var viewShape = Enumerable.Repeat(1, g.Rank).ToArray();
        viewShape[d] = (int)index.NumElements;
        using var shaped = index.Reshape(viewShape);
        using var expanded = shaped.Expand(g.Shape).Contiguous();
        using var zeros = GradMath.Zeros(node.InputShapes[0], node.InputDevices[0]);
        return [Ops.ScatterAdd(zeros, d, expanded, g), null];
    }

    private static Tensor?[] GatherBackward(OpGradFunction node, Tensor g)
    {
        var d = ((DimAttributes)node.Attributes).Dim;
        using var zeros = GradMath.Zeros(node.InputShapes[0], node.InputDevices[0]);
        return [Ops.ScatterAdd(zeros, d, node.Input(1), g), null];
    }

    private static Tensor?[] ScatterBackward(OpGradFunction node, Tensor g)
    {
        var d = ((DimAttributes)node.Attributes).Dim;
        var index = node.Input(1);
        var result = new Tensor?[3];
        if (node.Needs(0))
        {
            if (node.Kind == OpKind.ScatterAdd)
            {
                result[0] = g.Alias();
            }
            else
            {
                // Overwritten elements do not reach the output.
                using var zeros = GradMath.Zeros(index.Shape, g.Device);
                result[0] = Ops.Scatter(g, d, index, zeros);
            }
        }

        if (node.Needs(2))
        {
            // Only the first index-shaped block of src is read.
            using var gathered = Ops.Gather(g, d, index);
            var srcShape = node.InputShapes[2];
            result[2] = gathered.Shape.SequenceEqual(srcShape)
                ? gathered.Alias()
                : GradMath.ScatterIntoZeros(srcShape, g.Device, gathered, z => LeadingBlock(z, gathered.Shape));
        }

        return result;
    }

    private static Tensor LeadingBlock(Tensor tensor, ReadOnlySpan<int> shape)
    {
        var view = tensor.Alias();
        for (var i = 0; i < shape.Length; i++)
        {
            var next = view.Slice(i, 0, shape[i]);
            view.Dispose();
            view = next;
        }

        return view;
    }

    private static Tensor?[] CatBackward(OpGradFunction node, Tensor g)
    {
        var d = ((DimAttributes)node.Attributes).Dim;
        var result = new Tensor?[node.InputCount];
        var offset = 0;
        for (var i = 0; i < node.InputCount; i++)
        {
            var size = node.InputShapes[i][d];
            if (node.Needs(i))
            {
                result[i] = g.Narrow(d, offset, size);
            }

            offset += size;
        }

        return result;
    }

    private static Tensor?[] InterpolateNearestBackward(OpGradFunction node, Tensor g)
    {
        var a = (InterpolateAttributes)node.Attributes;
        var shape = node.InputShapes[0];
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        int ho = g.Shape[2], wo = g.Shape[3];
        if (ho == 2 * h && wo == 2 * w)
        {
            // Exact 2× upsampling (the UNet's): each input pixel feeds a 2×2 block.
            using var blocks = g.Reshape(n, c, h, 2, w, 2);
            return [GradMath.Sum(blocks, [3, 5])];
        }

        // General case: add each output column into its source column, then each row into its source row.
        using var columns = SourceIndex(wo, w, a.ScaleW, [n, c, ho, wo], 3, g.Device);
        using var byColumn = GradMath.Zeros([n, c, ho, w], g.Device);
        using var narrowed = Ops.ScatterAdd(byColumn, 3, columns, g);
        using var rowIndex = SourceIndex(ho, h, a.ScaleH, [n, c, ho, w], 2, g.Device);
        using var zeros = GradMath.Zeros(shape, g.Device);
        return [Ops.ScatterAdd(zeros, 2, rowIndex, narrowed)];
    }

    /// <summary>The input index each output index reads along one axis (the engine's nearest rule), broadcast to
    /// <paramref name="shape"/> along <paramref name="dim"/>.</summary>
    private static Tensor SourceIndex(int outputSize, int inputSize, double? scaleFactor, int[] shape, int dim, Device device)
    {
        var indices = new long[outputSize];
        for (var o = 0; o < outputSize; o++)
        {
            indices[o] = NearestSource(o, inputSize, outputSize, scaleFactor);
        }

        var viewShape = Enumerable.Repeat(1, shape.Length).ToArray();
        viewShape[dim] = outputSize;
        using var host = Tensor.FromArray<long>(indices, viewShape);
        using var expanded = host.Expand(shape);
        using var contiguous = expanded.Contiguous();
        return contiguous.To(device);
    }

    /// <summary>PyTorch's legacy "nearest": floor(o·scale) clamped, scale = 1/factor when a factor was given, else
    /// in/out (computed in float32, as the engine and ATen do).</summary>
    internal static int NearestSource(int outputIndex, int inputSize, int outputSize, double? scaleFactor)
    {
        if (inputSize == outputSize)
        {
            return outputIndex;
        }

        if (outputSize == 2 * inputSize)
        {
            return outputIndex >> 1;
        }

        var scale = scaleFactor is > 0 ? (float)(1.0 / scaleFactor.Value) : (float)inputSize / outputSize;
        return Math.Min((int)MathF.Floor(outputIndex * scale), inputSize - 1);
    }

    private static Tensor?[] SortedValues(OpGradFunction node, Tensor? g)
    {
        var result = new Tensor?[node.InputCount];
        if (g is null || !node.Needs(0))
        {
            return result;
        }

        // Values came from x at the returned indices: put the gradient back there.
        var d = node.Attributes switch
        {
            TopKAttributes t => t.Dim,
            SortAttributes s => s.Dim,
            _ => throw new InvalidOperationException($"Autograd: unexpected attributes for {node.Kind}."),
        };
        var dim = d < 0 ? d + node.InputShapes[0].Length : d;
        using var zeros = GradMath.Zeros(node.InputShapes[0], node.InputDevices[0]);
        result[0] = Ops.Scatter(zeros, dim, node.Output(1), g);
        return result;
    }
}
