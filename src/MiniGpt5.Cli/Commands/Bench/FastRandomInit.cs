using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// Random weights at PyTorch's default scale for a benchmark, without PyTorch's sequential generator (which takes
/// minutes for SD-2.1's 866M parameters on a busy machine): weights of rank ≥ 2 uniform in ±1/√fan_in (the bound of
/// kaiming_uniform(a=√5)), norm scales 1, other vectors (biases, norm shifts) uniform in ±0.02. Values come from a
/// counter-based SplitMix64 stream per parameter, filled in parallel, so they are reproducible and fast.
/// </summary>
internal static class FastRandomInit
{
    public static void Apply(Module module)
    {
        ulong stream = 0;
        foreach (var (name, parameter) in module.NamedParameters())
        {
            stream++;
            var value = parameter.Value;
            if (value.DType != DType.Float32 || !value.IsContiguous)
            {
                throw new InvalidOperationException($"{name}: expected a contiguous float32 parameter, got {value.DType}.");
            }

            var shape = value.ShapeArray();
            float low, high;
            if (shape.Length >= 2)
            {
                var fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                high = (float)(1 / Math.Sqrt(fanIn));
                low = -high;
            }
            else if (name.EndsWith(".weight", StringComparison.Ordinal) && name.Contains("norm", StringComparison.OrdinalIgnoreCase))
            {
                (low, high) = (1, 1);
            }
            else
            {
                (low, high) = (-0.02f, 0.02f);
            }

            Fill(value, stream, low, high);
        }
    }

    private static void Fill(Tensor tensor, ulong stream, float low, float high)
    {
        const int Chunk = 1 << 20;
        var count = tensor.NumElements;
        var chunks = (int)((count + Chunk - 1) / Chunk);
        Parallel.For(0, chunks, chunk =>
        {
            var span = tensor.AsSpan<float>();
            var start = (long)chunk * Chunk;
            var end = Math.Min(count, start + Chunk);
            for (var i = start; i < end; i++)
            {
                var z = (stream * 0x9E3779B97F4A7C15UL) + ((ulong)i * 0xBF58476D1CE4E5B9UL) + 0x94D049BB133111EBUL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                span[(int)i] = low + ((high - low) * ((z >> 40) * (1.0f / (1 << 24))));
            }
        });
    }
}
