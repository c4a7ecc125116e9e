using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Views and copies: the gradient is moved back to the input's layout (no arithmetic except broadcast sums).
internal static partial class OpGradients
{
    private static Tensor?[] View(OpGradFunction node, Tensor g)
    {
        var shape = node.InputShapes[0];
        var device = node.InputDevices[0];
        Tensor result = node.Kind switch
        {
            OpKind.Alias => g.Alias(),
            OpKind.Reshape => g.Reshape(shape),
            OpKind.Permute => g.Permute(Inverse(((PermuteAttributes)node.Attributes).Dims)),
            OpKind.Slice => SliceBackward(g, shape, device, (SliceAttributes)node.Attributes),
            OpKind.Select => SelectBackward(g, shape, device, (SelectAttributes)node.Attributes),
            OpKind.Expand => GradMath.ReduceToShape(g, shape),
            OpKind.Copy => CopyBackward(g, shape, device),
            _ => throw new InvalidOperationException($"Autograd: {node.Kind} is not a view."),
        };
        return [result];
    }

    private static Tensor SliceBackward(Tensor g, int[] shape, Device device, SliceAttributes a) =>
        GradMath.ScatterIntoZeros(shape, device, g, z => z.Slice(a.Dim, a.Start, a.End, a.Step));

    private static Tensor SelectBackward(Tensor g, int[] shape, Device device, SelectAttributes a) =>
        GradMath.ScatterIntoZeros(shape, device, g, z => z.Select(a.Dim, a.Index));

    private static Tensor CopyBackward(Tensor g, int[] shape, Device device)
    {
        // A copy may broadcast its source (copy_) and change dtype or device; the gradient stays float32.
        var reduced = GradMath.ReduceToShape(g, shape);
        return reduced.Device == device ? reduced : reduced.To(device);
    }

    private static int[] Inverse(int[] permutation)
    {
        var inverse = new int[permutation.Length];
        for (var i = 0; i < permutation.Length; i++)
        {
            inverse[permutation[i]] = i;
        }

        return inverse;
    }
}
