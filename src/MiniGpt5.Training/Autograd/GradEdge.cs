using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Where the gradient of one op input goes: to output <see cref="OutputIndex"/> of the node that produced it, or
/// straight into the <see cref="GradientStore"/> slot of a leaf (a parameter or a user tensor with
/// <see cref="Tensor.RequiresGrad"/> and no producer). Inputs that need no gradient have no edge (null).
/// </summary>
internal sealed record GradEdge(GradFunction? Function, int OutputIndex, Tensor? Leaf)
{
    /// <summary>The edge for an op input, or null when it needs no gradient.</summary>
    public static GradEdge? For(Tensor input)
    {
        if (!input.RequiresGrad || !input.DType.IsFloatingPoint())
        {
            return null;
        }

        return input.GradNode is GradOutput output
            ? new GradEdge(output.Function, output.Index, null)
            : new GradEdge(null, 0, input);
    }
}

/// <summary>What the tape stores in <see cref="Tensor.GradNode"/>: the node and which of its outputs the tensor is.</summary>
internal sealed record GradOutput(GradFunction Function, int Index);
