using System.Diagnostics;

namespace MiniGpt5.Imaging.Tests;

/// <summary>
/// Seeded mutation fuzzing of the golden PNG and JPEG files: random byte flips, truncations, and runs of
/// 0x00/0xFF. Every mutant must either decode or throw <see cref="ImageFormatException"/>; anything else
/// (IndexOutOfRange, OutOfMemory, a hang) fails. Each mutant must finish within 2 seconds.
/// MINIGPT5_FUZZ_MUTANTS=N runs N mutants per file instead of 40 (for a deeper run by hand).
/// </summary>
public sealed class FuzzTests
{
    private static readonly int MutantsPerFile =
        int.TryParse(Environment.GetEnvironmentVariable("MINIGPT5_FUZZ_MUTANTS"), out var n) && n > 0 ? n : 40;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(2);

    public static TheoryData<string> Files => Golden.Names("decode", "input");

    [Theory]
    [MemberData(nameof(Files))]
    public void Mutants_decode_or_fail_with_ImageFormatException(string input)
    {
        var original = Golden.Bytes(input);
        var random = new Random(StableSeed(input));
        var options = new ImageDecodeOptions { MaxPixels = 1 << 20 };
        for (var m = 0; m < MutantsPerFile; m++)
        {
            var mutant = Mutate(original, random);
            var clock = Stopwatch.StartNew();
            try
            {
                ImageCodec.Decode(mutant, options, sourceName: $"{input}#{m}");
            }
            catch (ImageFormatException)
            {
            }

            Assert.True(clock.Elapsed < PerCase, $"{input} mutant {m} took {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>string.GetHashCode is randomised per process; the fuzz seed must not be.</summary>
    private static int StableSeed(string text)
    {
        var seed = 12345;
        foreach (var ch in text)
        {
            seed = unchecked((seed * 31) + ch);
        }

        return seed;
    }

    internal static byte[] Mutate(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                return data;
            case 1:
                return data[..random.Next(data.Length)];
            case 2:
                {
                    var start = random.Next(data.Length);
                    var length = Math.Min(random.Next(1, 16), data.Length - start);
                    data.AsSpan(start, length).Fill(random.Next(2) == 0 ? (byte)0x00 : (byte)0xFF);
                    return data;
                }

            default:
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }

                return data;
        }
    }
}
