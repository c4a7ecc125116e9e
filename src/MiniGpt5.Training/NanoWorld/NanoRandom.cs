namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The world's pseudo-random generator: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
/// number generators", OOPSLA 2014), written out here so the sequence can never change under us the way
/// <see cref="System.Random"/>'s may between runtime versions.
/// <list type="bullet">
/// <item><c>state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z &gt;&gt; 30)) * 0xBF58476D1CE4E5B9;
/// z = (z ^ (z &gt;&gt; 27)) * 0x94D049BB133111EB; return z ^ (z &gt;&gt; 31)</c> (all mod 2^64).</item>
/// <item><see cref="NextInt"/>(n): Lemire's multiply-shift with rejection ("Fast random integer generation in an
/// interval", 2019): <c>m = x·n</c> as 128 bits; while <c>low64(m) &lt; (2^64 − n) mod n</c> draw again; return
/// <c>high64(m)</c>. Unbiased.</item>
/// <item><see cref="NextDouble"/>: <c>(x &gt;&gt; 11) · 2^-53</c>.</item>
/// <item><see cref="DeriveSeed"/>(seed, stream, index) = <c>Mix(Mix(Mix(seed) ^ stream) ^ index)</c>, where
/// <c>Mix(v)</c> is one SplitMix64 output for state <c>v</c>; every dataset item gets its own generator, so items
/// can be made in any order or in parallel.</item>
/// </list>
/// Not thread-safe; not for cryptography.
/// </summary>
public sealed class NanoRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private ulong _state;

    /// <summary>A generator whose first output is <c>Mix(seed)</c>.</summary>
    public NanoRandom(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += Gamma;
        return Finalize(_state);
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        var n = (ulong)exclusiveMax;
        var high = Math.BigMul(NextUInt64(), n, out var low);
        if (low < n)
        {
            var threshold = (0UL - n) % n;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), n, out low);
            }
        }

        return (int)high;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A uniformly chosen element.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[NextInt(items.Count)];
    }

    /// <summary>
    /// The index drawn from <paramref name="weights"/> (non-negative, not all zero) with probability proportional
    /// to its weight. Integer weights keep the draw exact: one <see cref="NextInt"/> over their sum.
    /// </summary>
    public int PickWeighted(ReadOnlySpan<int> weights)
    {
        var total = 0;
        foreach (var w in weights)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(w, nameof(weights));
            total = checked(total + w);
        }

        var ticket = NextInt(total);
        for (var i = 0; i < weights.Length; i++)
        {
            ticket -= weights[i];
            if (ticket < 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("Unreachable: the ticket is below the sum of the weights.");
    }

    /// <summary>The seed of item <paramref name="index"/> of stream <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static ulong DeriveSeed(ulong seed, ulong stream, ulong index) => Mix(Mix(Mix(seed) ^ stream) ^ index);

    /// <summary>One SplitMix64 step from state <paramref name="value"/> (a strong 64-bit mixing function).</summary>
    public static ulong Mix(ulong value) => Finalize(value + Gamma);

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
