using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// torch.nn.TransformerDecoderLayer with norm_first=True, ReLU, dropout 0 and no masks (MiniGPT-5 passes none, so
/// the 77 queries attend to each other bidirectionally): y += SA(norm1(y)); y += CA(norm2(y), memory);
/// y += linear2(relu(linear1(norm3(y)))). Keys <c>self_attn.*</c>, <c>multihead_attn.*</c>, <c>linear1.*</c>,
/// <c>linear2.*</c>, <c>norm1.*</c>, <c>norm2.*</c>, <c>norm3.*</c>.
/// </summary>
public sealed class TransformerDecoderLayer : Module
{
    /// <summary>A layer of <paramref name="config"/>.</summary>
    public TransformerDecoderLayer(VokenMapperConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        SelfAttention = Child("self_attn", new MultiheadAttention(config.Width, config.Heads));
        CrossAttention = Child("multihead_attn", new MultiheadAttention(config.Width, config.Heads));
        Linear1 = Child("linear1", new Linear(config.Width, config.FeedForward));
        Linear2 = Child("linear2", new Linear(config.FeedForward, config.Width));
        Norm1 = Child("norm1", new LayerNorm(config.Width, config.LayerNormEps));
        Norm2 = Child("norm2", new LayerNorm(config.Width, config.LayerNormEps));
        Norm3 = Child("norm3", new LayerNorm(config.Width, config.LayerNormEps));
    }

    /// <summary>Self-attention over the queries.</summary>
    public MultiheadAttention SelfAttention { get; }

    /// <summary>Attention to the encoder memory.</summary>
    public MultiheadAttention CrossAttention { get; }

    /// <summary>FFN in [F, E].</summary>
    public Linear Linear1 { get; }

    /// <summary>FFN out [E, F].</summary>
    public Linear Linear2 { get; }

    /// <summary>Before self-attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Before cross-attention.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Before the FFN.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>y [B, L, E] with memory [B, S, E] → [B, L, E].</summary>
    public Tensor Forward(Tensor y, Tensor memory)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(memory);
        using var scope = TensorScope.Enter();
        var normed = Norm1.Forward(y);
        var h = Ops.Add(y, SelfAttention.Forward(normed, normed));
        h = Ops.Add(h, CrossAttention.Forward(Norm2.Forward(h), memory));
        var ffn = Linear2.Forward(Ops.Relu(Linear1.Forward(Norm3.Forward(h))));
        return Ops.Add(h, ffn).MoveToOuterScope();
    }
}
