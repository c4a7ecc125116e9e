using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// EVA self-attention: one qkv projection without bias plus separate <c>q_bias</c> and <c>v_bias</c> (the key bias
/// is zero), scaled dot-product attention over all tokens, output projection. Keys <c>qkv.weight</c> [3W, W],
/// <c>q_bias</c> [W], <c>v_bias</c> [W], <c>proj.weight</c> [W, W], <c>proj.bias</c> [W].
/// </summary>
public sealed class EvaAttention : Module
{
    private readonly int _heads;

    /// <summary>Attention of width <paramref name="width"/> split into <paramref name="heads"/> heads.</summary>
    public EvaAttention(int width, int heads, DType dtype)
    {
        _heads = heads;
        Qkv = Child("qkv", new Linear(width, 3 * width, bias: false, dtype));
        QBias = Param("q_bias", [width]);
        VBias = Param("v_bias", [width]);
        Proj = Child("proj", new Linear(width, width, bias: true, dtype));
    }

    /// <summary>[3W, W], rows q;k;v.</summary>
    public Linear Qkv { get; }

    /// <summary>[W].</summary>
    public Parameter QBias { get; }

    /// <summary>[W].</summary>
    public Parameter VBias { get; }

    /// <summary>[W, W] + bias.</summary>
    public Linear Proj { get; }

    /// <summary>x [B, N, W] → [B, N, W].</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        int batch = x.Shape[0], tokens = x.Shape[1], width = x.Shape[2];
        var bias = Ops.Cat([QBias.Value, Tensor.ZerosLike(VBias.Value), VBias.Value]);      // [3W]
        var qkv = Ops.Linear(x, Qkv.Weight.Value, bias);                                       // [B, N, 3W]
        var heads = qkv.View(batch, tokens, 3, _heads, width / _heads).Permute(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        var attention = Ops.ScaledDotProductAttention(heads.Select(0, 0), heads.Select(0, 1), heads.Select(0, 2)); // [B, H, N, hd]
        var merged = attention.Transpose(1, 2).Reshape(batch, tokens, width);
        return Proj.Forward(merged).MoveToOuterScope();
    }
}
