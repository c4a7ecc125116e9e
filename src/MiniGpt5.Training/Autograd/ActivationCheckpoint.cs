using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Activation checkpointing (torch.utils.checkpoint): runs a block without keeping its intermediates, and runs it
/// again during the backward to get them. Memory for a stack of N blocks drops from N blocks of activations to
/// N block inputs plus one block's activations, at the cost of one extra forward per block.
/// </summary>
/// <remarks>
/// The block must compute the same thing when it runs again: no fresh random draws inside it (draw dropout masks
/// or noise outside and pass them in as inputs). Outside a <see cref="GradientTape"/>, or under
/// <see cref="GradMode.NoGrad"/>, the block simply runs.
/// </remarks>
public static class ActivationCheckpoint
{
    /// <summary>Runs <paramref name="block"/> on <paramref name="inputs"/> with recomputation in the backward.</summary>
    public static Tensor Run(Func<Tensor[], Tensor> block, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(inputs);
        var tape = GradientTape.Current;
        if (tape is null || !GradMode.IsEnabled)
        {
            return block(inputs);
        }

        // A recorder that only propagates "requires grad" tells whether the result depends on anything trainable
        // (inputs or parameters used inside), without keeping a single activation.
        Tensor output;
        using (OpRecorder.Install(RequiresGradProbe.Instance))
        {
            output = block(inputs);
        }

        if (!output.RequiresGrad)
        {
            return output;
        }

        var edges = new GradEdge?[inputs.Length];
        var saved = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            edges[i] = GradEdge.For(inputs[i]);
            saved[i] = SavedTensors.Keep(inputs[i]);
        }

        tape.Attach(new CheckpointGradFunction(block, edges, saved, output.ShapeArray()), [output]);
        return output;
    }

    /// <summary>Marks the float outputs of every op that reads a tensor requiring grad; records nothing.</summary>
    private sealed class RequiresGradProbe : IOpRecorder
    {
        public static readonly RequiresGradProbe Instance = new();

        public void Record(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
        {
            foreach (var output in outputs)
            {
                if (output.DType.IsFloatingPoint())
                {
                    output.RequiresGrad = true;
                }
            }
        }
    }
}
