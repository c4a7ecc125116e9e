using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Losses;

/// <summary>Draws that follow torch's CPU generator on a <see cref="Generator"/>, so a seeded run reproduces a
/// seeded PyTorch run draw for draw.</summary>
public static class TorchRandom
{
    /// <summary>
    /// torch.randint(low, high, (count,)) for an int64 tensor: each value is random() % range + low with a 32-bit draw
    /// when the range is below 2³² (random64() otherwise), drawn in order.
    /// </summary>
    public static long[] RandInt(Generator generator, long low, long high, int count)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (high <= low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"RandInt: the range [{low}, {high}) is empty.");
        }

        var range = (ulong)(high - low);
        var values = new long[count];
        for (var i = 0; i < count; i++)
        {
            var draw = range >= 1UL << 32 ? generator.NextUInt64() : generator.NextUInt32();
            values[i] = (long)(draw % range) + low;
        }

        return values;
    }
}
