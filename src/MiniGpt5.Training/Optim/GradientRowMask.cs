using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;

namespace MiniGpt5.Training.Optim;

/// <summary>
/// Lets only rows [<see cref="FirstTrainableRow"/>, rows) of a matrix parameter learn, by zeroing the gradient of the
/// rows above before the optimizer step (MiniGPT-5's reset_embeddings: only the 9 new token rows of embed_tokens and
/// lm_head learn). AdamW still decays every row, since the zeroed gradient is present, as in the reference.
/// </summary>
public sealed record GradientRowMask(string Name, Parameter Parameter, int FirstTrainableRow)
{
    /// <summary>Zeroes the masked rows of the parameter's gradient, if it has one.</summary>
    public void Apply(GradientStore gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Get(Parameter) is not { } gradient || FirstTrainableRow <= 0)
        {
            return;
        }

        using var noGrad = GradMode.NoGrad();
        using var frozen = gradient.Narrow(0, 0, Math.Min(FirstTrainableRow, gradient.Shape[0]));
        Ops.FillInPlace(frozen, 0);
    }
}
