using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class AttentionGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("ops_attention.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Scaled_dot_product_attention_matches_float64_attention(string backend)
    {
        // Tolerance: float32 1e-5 (the kernel accumulates in float32 over at most a few hundred keys); bfloat16 one ulp.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("sdpa"))
        {
            using var scope = TensorScope.Enter();
            var q = _golden[c, "q"];
            var mask = _golden.Has(c, "mask") ? _golden[c, "mask"] : null;
            var causal = c.String("causal");
            var actual = Ops.ScaledDotProductAttention(
                q,
                _golden[c, "k"],
                _golden[c, "v"],
                mask,
                isCausal: causal is not null,
                scale: c.OptionalDouble("scale"),
                enableGqa: c.Bool("gqa"),
                causalVariant: causal == "lower_right" ? CausalVariant.LowerRight : CausalVariant.UpperLeft);
            var (atol, rtol) = Kernels.Tolerance(q.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Rope_matches_hf_llama(string backend)
    {
        // Tolerance: float32 2e-6 (cos/sin tables may differ from PyTorch's in the last ulp); half types one ulp.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("rope"))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var actual = Ops.Rope(x, _golden[c, "pos"], c.Double("theta"));
            var (atol, rtol) = x.DType == DType.Float32 ? (2e-6, 2e-6) : Kernels.Tolerance(x.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());

            // Strided input: [B, T, H, D] storage viewed as [B, H, T, D], as models produce it.
            var strided = x.Transpose(1, 2).Contiguous().Transpose(1, 2);
            TensorAssert.Close(_golden[c, "out"], Ops.Rope(strided, _golden[c, "pos"], c.Double("theta")), atol, rtol, c + " (strided)");
        }
    }

    [Fact]
    public void Attention_validates_its_operands()
    {
        using var scope = TensorScope.Enter();
        var q = Tensor.Zeros([1, 4, 3, 8]);
        var k = Tensor.Zeros([1, 3, 5, 8]);
        var error = Assert.Throws<TensorShapeException>(() => Ops.ScaledDotProductAttention(q, k, k, enableGqa: true));
        Assert.Contains("[1, 3, 5, 8]", error.Message, StringComparison.Ordinal);
        Assert.Throws<TensorShapeException>(() => Ops.ScaledDotProductAttention(q, Tensor.Zeros([1, 4, 5, 7]), Tensor.Zeros([1, 4, 5, 7])));
        Assert.Throws<ArgumentException>(() => Ops.ScaledDotProductAttention(q, q, q, Tensor.Ones([3, 3], DType.Bool), isCausal: true));
        Assert.Throws<TensorShapeException>(() => Ops.Rope(q, Tensor.Arange(4)));
    }
}
