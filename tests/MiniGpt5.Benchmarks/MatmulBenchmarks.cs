using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using BenchmarkDotNet.Attributes;
using MiniGpt5.Tensors;

namespace MiniGpt5.Benchmarks;

/// <summary>
/// Square float32 GEMM: the engine's packed SIMD kernel (all cores) against a row-by-column loop of
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> over a pre-transposed B, the best
/// one can do without packing or blocking (vectorised, one thread) — the anchor every GEMM must beat by a lot.
/// </summary>
[MemoryDiagnoser]
public class MatmulBenchmarks
{
    private Tensor _a = null!;
    private Tensor _b = null!;
    private Tensor _c = null!;
    private float[] _aRows = null!;
    private float[] _bColumns = null!;
    private float[] _result = null!;

    /// <summary>M = N = K.</summary>
    [Params(256, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(0);
        _a = Tensor.Randn([Size, Size], generator);
        _b = Tensor.Randn([Size, Size], generator);
        _c = Tensor.Zeros([Size, Size]);
        _aRows = _a.ToFloatArray();
        using var transposed = _b.Transpose(0, 1).Contiguous();
        _bColumns = transposed.ToFloatArray();
        _result = new float[Size * Size];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TensorPrimitives.Dot per output (anchor)")]
    public float DotPerOutput()
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var row = _aRows.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                _result[(i * n) + j] = TensorPrimitives.Dot(row, _bColumns.AsSpan(j * n, n));
            }
        }

        return _result[0];
    }

    [Benchmark(Description = "Ops.Matmul (packed SIMD GEMM)")]
    public Tensor EngineMatmul() => Ops.Matmul(_a, _b, output: _c);
}
