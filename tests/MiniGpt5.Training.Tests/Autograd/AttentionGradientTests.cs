using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd.Formulas;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of attention (every mask form, GQA, tiling) and RoPE.</summary>
public sealed class AttentionGradientTests
{
    [Theory]
    [InlineData("none")]
    [InlineData("causal")]
    [InlineData("causal_lower_right")]
    [InlineData("bool_mask")]
    [InlineData("float_mask")]
    [InlineData("scale")]
    public void Attention_gradients_for_q_k_v(string variant)
    {
        // L = 3 queries, S = 5 keys, so the two causal alignments differ.
        using var q = Randn(51, 2, 2, 3, 4);
        using var k = Randn(52, 2, 2, 5, 4);
        using var v = Randn(53, 2, 2, 5, 6);
        using var boolMask = Tensor.FromArray<bool>([true, false, true, true, false, true, true, false, true, true, true, true, false, false, true], [3, 5]);
        using var floatMask = Randn(54, 1, 3, 5);
        Func<Tensor[], Tensor> f = variant switch
        {
            "none" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2]),
            "causal" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], isCausal: true),
            "causal_lower_right" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], isCausal: true, causalVariant: CausalVariant.LowerRight),
            "bool_mask" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], boolMask),
            "float_mask" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], i[3]),
            "scale" => i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], scale: 0.3),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        Tensor[] inputs = variant == "float_mask" ? [q, k, v, floatMask] : [q, k, v];
        Check(f, inputs, name: $"sdpa {variant}");
    }

    [Fact]
    public void Attention_gradients_with_broadcast_keys_and_grouped_query_heads()
    {
        using var q = Randn(55, 1, 4, 3, 4);
        using var k = Randn(56, 1, 2, 5, 4);
        using var v = Randn(57, 1, 2, 5, 4);
        Check(i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], enableGqa: true), [q, k, v], name: "sdpa gqa");
        using var kShared = Randn(58, 1, 1, 5, 4);
        using var vShared = Randn(59, 1, 1, 5, 4);
        Check(i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], isCausal: true), [q, kShared, vShared], name: "sdpa broadcast kv");
    }

    [Fact]
    public void Attention_backward_is_the_same_when_split_into_query_tiles()
    {
        using var q = Randn(60, 1, 2, 7, 4);
        using var k = Randn(61, 1, 2, 7, 4);
        using var v = Randn(62, 1, 2, 7, 4);
        var saved = OpGradients.AttentionTileElements;
        try
        {
            // 2 heads × 7 keys per row: a budget of 28 elements gives tiles of 2 rows (4 tiles for 7 rows).
            OpGradients.AttentionTileElements = 28;
            Check(i => Ops.ScaledDotProductAttention(i[0], i[1], i[2], isCausal: true), [q, k, v], name: "sdpa tiled");
        }
        finally
        {
            OpGradients.AttentionTileElements = saved;
        }
    }

    [Fact]
    public void Rope_gradient_is_the_inverse_rotation()
    {
        using var x = Randn(63, 2, 2, 4, 6);
        using var positions = Tensor.FromArray<long>([3, 4, 5, 9], [4]);
        Check(i => Ops.Rope(i[0], positions), [x], name: "rope [T]");
        using var batched = Tensor.FromArray<long>([0, 1, 2, 3, 7, 8, 9, 10], [2, 4]);
        Check(i => Ops.Rope(i[0], batched, 500.0), [x], name: "rope [B, T]");
    }
}
