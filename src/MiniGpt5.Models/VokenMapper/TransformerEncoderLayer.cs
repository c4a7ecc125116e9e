using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// torch.nn.TransformerEncoderLayer with norm_first=True, ReLU, dropout 0: x += SA(norm1(x));
/// x += linear2(relu(linear1(norm2(x)))). Keys <c>self_attn.*</c>, <c>linear1.*</c> [F, E], <c>linear2.*</c> [E, F],
/// <c>norm1.*</c>, <c>norm2.*</c>.
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    /// <summary>A layer of <paramref name="config"/>.</summary>
    public TransformerEncoderLayer(VokenMapperConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        SelfAttention = Child("self_attn", new MultiheadAttention(config.Width, config.Heads));
        Linear1 = Child("linear1", new Linear(config.Width, config.FeedForward));
        Linear2 = Child("linear2", new Linear(config.FeedForward, config.Width));
        Norm1 = Child("norm1", new LayerNorm(config.Width, config.LayerNormEps));
        Norm2 = Child("norm2", new LayerNorm(config.Width, config.LayerNormEps));
    }

    /// <summary>Self-attention.</summary>
    public MultiheadAttention SelfAttention { get; }

    /// <summary>FFN in [F, E].</summary>
    public Linear Linear1 { get; }

    /// <summary>FFN out [E, F].</summary>
    public Linear Linear2 { get; }

    /// <summary>Before attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Before the FFN.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>x [B, S, E] → [B, S, E].</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var normed = Norm1.Forward(x);
        var h = Ops.Add(x, SelfAttention.Forward(normed, normed));
        var ffn = Linear2.Forward(Ops.Relu(Linear1.Forward(Norm2.Forward(h))));
        return Ops.Add(h, ffn).MoveToOuterScope();
    }
}
