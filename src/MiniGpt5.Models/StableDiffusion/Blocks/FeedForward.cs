using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>
/// diffusers <c>FeedForward</c> with the GEGLU activation (attention.py, activations.py): <c>net.0.proj</c> maps dim to
/// 2·inner, the first half is multiplied by the exact-erf GELU of the second half, and <c>net.2</c> maps inner back to
/// dim (<c>net.1</c> is dropout, without weights). inner = 4·dim.
/// </summary>
public sealed class FeedForward : Module
{
    /// <summary>A GEGLU feed-forward over <paramref name="dim"/> features with <paramref name="mult"/>·dim hidden units.</summary>
    public FeedForward(int dim, int mult = 4)
    {
        Inner = dim * mult;
        Net = Child("net", new FeedForwardLayers(dim, Inner));
    }

    public int Inner { get; }

    /// <summary>The "net" list: 0 = GEGLU, 2 = output Linear.</summary>
    public FeedForwardLayers Net { get; }

    /// <summary>x [..., dim] → [..., dim].</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var projected = Net.Geglu.Proj.Forward(x);
        var last = projected.Rank - 1;
        // [..., 2·inner] → hidden [..., inner] · GELU(gate [..., inner])
        var hidden = projected.Narrow(last, 0, Inner);
        var gate = projected.Narrow(last, Inner, Inner);
        var activated = Ops.Mul(hidden, Ops.Gelu(gate));
        return Net.Out.Forward(activated).MoveToOuterScope();
    }
}
