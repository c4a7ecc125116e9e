using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>The node of an <see cref="ActivationCheckpoint"/>: recomputes the block on a nested tape in the backward.</summary>
internal sealed class CheckpointGradFunction : GradFunction
{
    private readonly Func<Tensor[], Tensor> _block;
    private readonly Tensor?[] _inputs;

    public CheckpointGradFunction(Func<Tensor[], Tensor> block, GradEdge?[] edges, Tensor[] inputs, int[] outputShape)
        : base(edges, [outputShape])
    {
        _block = block;
        _inputs = inputs;
    }

    public override string Name => "checkpoint";

    public override Tensor?[] Backward(BackwardContext context, Tensor?[] outputGradients)
    {
        var result = new Tensor?[_inputs.Length];
        var g = outputGradients[0];
        if (g is null)
        {
            return result;
        }

        if (IsReleased)
        {
            throw new InvalidOperationException("Autograd: backward ran twice through an activation checkpoint.");
        }

        // Fresh leaves on the saved inputs, so the recomputed graph ends at them.
        var leaves = new Tensor[_inputs.Length];
        for (var i = 0; i < leaves.Length; i++)
        {
            leaves[i] = SavedTensors.Keep(_inputs[i]!);
            leaves[i].RequiresGrad = Edges[i] is not null;
        }

        using var local = new GradientStore();
        try
        {
            using (GradMode.EnableGrad())
            using (var tape = GradientTape.Start())
            using (TensorScope.Enter())
            {
                var output = _block(leaves);
                if (!output.RequiresGrad)
                {
                    throw new InvalidOperationException(
                        "Autograd: an activation checkpoint's block no longer depends on anything that requires grad when run again; the block must be deterministic.");
                }

                GradientTape.Run(output, local, g);
            }

            // Input gradients go back to the outer graph; parameter gradients go straight to the caller's store.
            foreach (var (leaf, gradient) in local.Entries())
            {
                var index = Array.FindIndex(leaves, l => ReferenceEquals(l, leaf));
                if (index >= 0)
                {
                    result[index] = gradient.Alias();
                }
                else
                {
                    context.Gradients.Accumulate(leaf, gradient);
                }
            }

            return result;
        }
        finally
        {
            foreach (var leaf in leaves)
            {
                leaf.Dispose();
            }
        }
    }

    protected override void ReleaseSaved() => SavedTensors.Dispose(_inputs);
}
