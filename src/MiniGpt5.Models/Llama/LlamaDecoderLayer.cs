using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// One pre-norm LLaMA block: x += attn(RMSNorm(x)); x += mlp(RMSNorm(x)). Keys <c>input_layernorm.weight</c>,
/// <c>self_attn.*</c>, <c>post_attention_layernorm.weight</c>, <c>mlp.*</c>.
/// </summary>
public sealed class LlamaDecoderLayer : Module
{
    /// <summary>Layer <paramref name="layer"/> of <paramref name="config"/>, projections in <paramref name="dtype"/>.</summary>
    public LlamaDecoderLayer(LlamaConfig config, int layer, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        SelfAttention = Child("self_attn", new LlamaAttention(config, layer, dtype));
        Mlp = Child("mlp", new LlamaMlp(config, dtype));
        InputLayerNorm = Child("input_layernorm", new RmsNorm(config.HiddenSize, config.RmsNormEps));
        PostAttentionLayerNorm = Child("post_attention_layernorm", new RmsNorm(config.HiddenSize, config.RmsNormEps));
    }

    /// <summary>Attention.</summary>
    public LlamaAttention SelfAttention { get; }

    /// <summary>SwiGLU MLP.</summary>
    public LlamaMlp Mlp { get; }

    /// <summary>RMSNorm before attention, weight [D].</summary>
    public RmsNorm InputLayerNorm { get; }

    /// <summary>RMSNorm before the MLP, weight [D].</summary>
    public RmsNorm PostAttentionLayerNorm { get; }

    /// <summary>x [B, T, D] → [B, T, D]. With decode buffers x is the residual buffer, updated in place.</summary>
    internal Tensor Forward(Tensor x, LlamaForwardContext context)
    {
        using var scope = TensorScope.Enter();
        var buffers = context.Buffers;
        var attention = SelfAttention.Forward(InputLayerNorm.Forward(x, buffers?.Norm), context);
        var h = buffers is null ? Ops.Add(x, attention) : Ops.Add(x, attention, output: x);
        var mlp = Mlp.Forward(PostAttentionLayerNorm.Forward(h, buffers?.Norm), buffers);
        var result = buffers is null ? Ops.Add(h, mlp) : Ops.Add(h, mlp, output: h);
        return result.MoveToOuterScope();
    }
}
