namespace MiniGpt5.Tensors;

/// <summary>
/// A seeded random number generator that reproduces PyTorch's CPU generator: the same 32-bit Mersenne Twister
/// (mt19937) seeded like <c>torch.manual_seed(seed)</c>, the same uniform conversions, and the same normal sampling
/// (<c>torch.randn</c> on a contiguous float32 tensor), so <c>Tensor.Randn(shape, new Generator(42))</c> matches
/// <c>torch.manual_seed(42); torch.randn(shape)</c> up to the last bit of the transcendental functions.
/// Not thread-safe: use one generator per sampling loop.
/// </summary>
public sealed class Generator
{
    private const int StateSize = 624;
    private const int Shift = 397;
    private readonly uint[] _state = new uint[StateSize];
    private int _index;
    private double? _nextNormal;

    /// <summary>Seeds the generator (only the low 32 bits reach the twister, as in PyTorch).</summary>
    public Generator(ulong seed)
    {
        Seed = seed;
        _state[0] = (uint)seed;
        for (var i = 1; i < StateSize; i++)
        {
            _state[i] = unchecked((1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30))) + (uint)i);
        }

        _index = StateSize;
    }

    /// <summary>The seed given at construction.</summary>
    public ulong Seed { get; }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        if (_index >= StateSize)
        {
            Twist();
        }

        var y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>64 random bits from two draws, first draw high (PyTorch's random64).</summary>
    public ulong NextUInt64()
    {
        ulong high = NextUInt32();
        ulong low = NextUInt32();
        return (high << 32) | low;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (PyTorch's float uniform).</summary>
    public float NextSingle() => (NextUInt32() & 0xFF_FFFFu) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits (PyTorch's double uniform).</summary>
    public double NextDouble() => (NextUInt64() & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));

    /// <summary>A standard normal sample (PyTorch's <c>normal_distribution&lt;double&gt;</c>: Box–Muller on two double
    /// uniforms, the second value of each pair cached for the next call).</summary>
    public double NextNormal()
    {
        if (_nextNormal is { } cached)
        {
            _nextNormal = null;
            return cached;
        }

        var u1 = NextDouble();
        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
        var theta = 2.0 * Math.PI * u1;
        _nextNormal = radius * Math.Sin(theta);
        return radius * Math.Cos(theta);
    }

    /// <summary>Fills with standard normal samples exactly as <c>torch.randn</c> fills a contiguous float32 tensor:
    /// 16 or more values use the batched Box–Muller of <c>normal_fill</c>; fewer use <see cref="NextNormal"/>.</summary>
    public void FillNormal(Span<float> values)
    {
        var size = values.Length;
        if (size < 16)
        {
            for (var i = 0; i < size; i++)
            {
                values[i] = (float)NextNormal();
            }

            return;
        }

        for (var i = 0; i < size; i++)
        {
            values[i] = NextSingle();
        }

        for (var i = 0; i + 16 <= size; i += 16)
        {
            BoxMuller16(values.Slice(i, 16));
        }

        if (size % 16 != 0)
        {
            // PyTorch redraws the last 16 values (overlapping the previous block) rather than handle a tail.
            var tail = values.Slice(size - 16, 16);
            for (var i = 0; i < 16; i++)
            {
                tail[i] = NextSingle();
            }

            BoxMuller16(tail);
        }
    }

    /// <summary>Fills with uniform samples in [0, 1) (<c>torch.rand</c> on a float32 tensor).</summary>
    public void FillUniform(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = NextSingle();
        }
    }

    private static void BoxMuller16(Span<float> data)
    {
        const float TwoPi = (float)(2.0 * Math.PI);
        for (var j = 0; j < 8; j++)
        {
            var u1 = 1.0f - data[j];
            var u2 = data[j + 8];
            var radius = MathF.Sqrt(-2.0f * MathF.Log(u1));
            var theta = TwoPi * u2;
            data[j] = radius * MathF.Cos(theta);
            data[j + 8] = radius * MathF.Sin(theta);
        }
    }

    private void Twist()
    {
        for (var k = 0; k < StateSize; k++)
        {
            var y = (_state[k] & 0x8000_0000u) | (_state[(k + 1) % StateSize] & 0x7FFF_FFFFu);
            _state[k] = _state[(k + Shift) % StateSize] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908_B0DFu : 0u);
        }

        _index = 0;
    }
}
