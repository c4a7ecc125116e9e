using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// One recorded step of a forward pass: it knows where its inputs came from (<see cref="Edges"/>) and turns the
/// gradients of its outputs into gradients of its inputs. <see cref="OpGradFunction"/> covers every engine op;
/// <see cref="CheckpointGradFunction"/> recomputes a whole block.
/// </summary>
internal abstract class GradFunction
{
    private static long _nextSequence;

    protected GradFunction(GradEdge?[] edges, int[][] outputShapes)
    {
        Edges = edges;
        OutputShapes = outputShapes;
        // Inputs are always produced before the ops that read them, so creation order is a topological order.
        Sequence = Interlocked.Increment(ref _nextSequence);
    }

    /// <summary>Creation order; backward runs in decreasing order.</summary>
    public long Sequence { get; }

    /// <summary>One entry per input (null: that input needs no gradient).</summary>
    public GradEdge?[] Edges { get; }

    /// <summary>Shape of every output (output gradients must have these shapes).</summary>
    public int[][] OutputShapes { get; }

    /// <summary>Name used in error messages ("Linear", "checkpoint").</summary>
    public abstract string Name { get; }

    /// <summary>True once <see cref="Release"/> freed what the backward needs.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>
    /// Gradients of the inputs (null where an input has no edge or gets nothing) from the gradients of the outputs
    /// (null for an output that received none, i.e. zero). Every returned tensor is float32 with its input's shape.
    /// Runs with gradient recording off.
    /// </summary>
    public abstract Tensor?[] Backward(BackwardContext context, Tensor?[] outputGradients);

    /// <summary>Frees the tensors saved for backward. Safe to call more than once.</summary>
    public void Release()
    {
        if (!IsReleased)
        {
            IsReleased = true;
            ReleaseSaved();
        }
    }

    /// <summary>Disposes saved tensors.</summary>
    protected abstract void ReleaseSaved();
}

/// <summary>What a node's backward may need besides its own saved state: where leaf gradients go.</summary>
internal sealed record BackwardContext(GradientStore Gradients);
