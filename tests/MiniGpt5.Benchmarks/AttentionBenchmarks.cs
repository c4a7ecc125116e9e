using BenchmarkDotNet.Attributes;
using MiniGpt5.Tensors;

namespace MiniGpt5.Benchmarks;

/// <summary>
/// Causal self-attention at LLaMA-prefill shapes ([1, 8 heads, T, 64]): the fused online-softmax kernel against
/// the textbook composition of the engine's own ops (QKᵀ·scale + causal mask → softmax → ·V), which materialises
/// the T×T score matrix. Same numbers either way; the fused kernel should be faster and allocate far less.
/// </summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private Tensor _q = null!;
    private Tensor _k = null!;
    private Tensor _v = null!;
    private Tensor _mask = null!;

    /// <summary>Sequence length.</summary>
    [Params(256, 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(1);
        _q = Tensor.Randn([1, 8, Length, 64], generator);
        _k = Tensor.Randn([1, 8, Length, 64], generator);
        _v = Tensor.Randn([1, 8, Length, 64], generator);
        var mask = new float[Length * Length];
        for (var i = 0; i < Length; i++)
        {
            for (var j = i + 1; j < Length; j++)
            {
                mask[(i * Length) + j] = float.NegativeInfinity;
            }
        }

        _mask = Tensor.FromArray<float>(mask, [Length, Length]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _q.Dispose();
        _k.Dispose();
        _v.Dispose();
        _mask.Dispose();
    }

    [Benchmark(Baseline = true, Description = "matmul + mask + softmax + matmul (anchor)")]
    public float Composed()
    {
        using var scope = TensorScope.Enter();
        var kT = _k.Transpose(2, 3);
        var scores = Ops.Add(Ops.Mul(Ops.Matmul(_q, kT), 1.0 / Math.Sqrt(64)), _mask);
        var output = Ops.Matmul(Ops.Softmax(scores, -1), _v);
        return output.AsSpan<float>()[0];
    }

    [Benchmark(Description = "Ops.ScaledDotProductAttention (fused, causal)")]
    public float Fused()
    {
        using var scope = TensorScope.Enter();
        var output = Ops.ScaledDotProductAttention(_q, _k, _v, isCausal: true);
        return output.AsSpan<float>()[0];
    }
}
