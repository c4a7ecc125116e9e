using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class CastAndRandomTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("core.safetensors");

    public void Dispose() => _golden.Dispose();

    [Fact]
    public void Casts_match_pytorch_bit_for_bit()
    {
        // Tolerance: none. Rounding to float16/bfloat16 is round-to-nearest-even with NaN kept quiet, and float→int
        // truncates toward zero, exactly as PyTorch.
        foreach (var c in _golden.Op("cast"))
        {
            using var scope = TensorScope.Enter();
            var expected = _golden[c, "out"];
            var actual = _golden[c, "x"].To(expected.DType);
            TensorAssert.Identical(expected, actual, c.ToString());
        }
    }

    [Fact]
    public void Randn_reproduces_torch_manual_seed_streams()
    {
        // Tolerance 1e-6 absolute: the bits drawn are identical; only log/cos/sin may differ in the last ulp.
        foreach (var c in _golden.Op("randn"))
        {
            using var scope = TensorScope.Enter();
            var actual = Tensor.Randn(c.Ints("shape"), new Generator((ulong)c.Int("seed")));
            TensorAssert.Close(_golden[c, "out"], actual, 1e-6, 1e-6, c.ToString());
        }

        var sequence = _golden.Op("randn_sequence").Single();
        var generator = new Generator((ulong)sequence.Int("seed"));
        var shapes = sequence.Params["shapes"].EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        for (var i = 0; i < shapes.Length; i++)
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Close(_golden[sequence, $"out{i}"], Tensor.Randn(shapes[i], generator), 1e-6, 1e-6, $"randn sequence draw {i}");
        }

        var uniform = _golden.Op("rand").Single();
        using var rand = Tensor.Rand(uniform.Ints("shape"), new Generator((ulong)uniform.Int("seed")));
        TensorAssert.Identical(_golden[uniform, "out"], rand, "rand");
    }

    [Fact]
    public void Bfloat16_rounding_handles_ties_and_nan()
    {
        Assert.Equal(0x3F80, BFloat16.RoundToBits(1.00390625f)); // tie, rounds to even (down)
        Assert.Equal(0x3F82, BFloat16.RoundToBits(1.01171875f)); // tie, rounds to even (up)
        Assert.Equal(0x7FC0, BFloat16.RoundToBits(float.NaN));
        Assert.Equal(0x7F80, BFloat16.RoundToBits(float.PositiveInfinity));
        Assert.Equal(1.5f, (float)(BFloat16)1.5f);
    }
}
