using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// One pre-LN EVA block: x += attn(norm1(x)); x += fc2(GELU(fc1(norm2(x)))). Keys <c>norm1.*</c>, <c>attn.*</c>,
/// <c>norm2.*</c>, <c>mlp.fc1.*</c> [M, W], <c>mlp.fc2.*</c> [W, M]. No layer scale (BLIP-2's ViT-g has none).
/// </summary>
public sealed class EvaBlock : Module
{
    /// <summary>A block of <paramref name="config"/> with linear weights in <paramref name="dtype"/>.</summary>
    public EvaBlock(EvaVitConfig config, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        Norm1 = Child("norm1", new LayerNorm(config.Width, config.LayerNormEps));
        Attention = Child("attn", new EvaAttention(config.Width, config.Heads, dtype));
        Norm2 = Child("norm2", new LayerNorm(config.Width, config.LayerNormEps));
        Mlp = Child("mlp", new EvaMlp(config.Width, config.MlpHidden, dtype));
    }

    /// <summary>LayerNorm before attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Self-attention.</summary>
    public EvaAttention Attention { get; }

    /// <summary>LayerNorm before the MLP.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The MLP.</summary>
    public EvaMlp Mlp { get; }

    /// <summary>x [B, N, W] → [B, N, W].</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var h = Ops.Add(x, Attention.Forward(Norm1.Forward(x)));
        return Ops.Add(h, Mlp.Forward(Norm2.Forward(h))).MoveToOuterScope();
    }
}
