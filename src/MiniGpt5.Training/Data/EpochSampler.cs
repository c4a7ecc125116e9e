using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Data;

/// <summary>
/// The order in which a trainer visits a dataset: every epoch a permutation drawn from a generator seeded by
/// (seed, epoch) (or the plain order when shuffling is off, as the release's DataLoader had it), cut into batches
/// (the last one may be smaller). Because each epoch's order depends only on the seed and the epoch number, a
/// resumed run finds its place from the step counter alone.
/// </summary>
public sealed class EpochSampler
{
    /// <summary>A sampler over <paramref name="count"/> items.</summary>
    public EpochSampler(int count, int batchSize, bool shuffle, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Count = count;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is permuted.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed of every permutation.</summary>
    public ulong Seed { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>The item order of epoch <paramref name="epoch"/>.</summary>
    public int[] Order(long epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (!Shuffle)
        {
            return order;
        }

        // Fisher–Yates with a generator seeded by the epoch.
        var generator = new Generator(MixSeed(Seed, (ulong)epoch, 0x5EED));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(generator.NextUInt64() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>The items of batch <paramref name="batchIndex"/> (0-based, counted from the start of training).</summary>
    public int[] Batch(long batchIndex)
    {
        var epoch = batchIndex / BatchesPerEpoch;
        var within = (int)(batchIndex % BatchesPerEpoch);
        var order = Order(epoch);
        var start = within * BatchSize;
        return order[start..Math.Min(order.Length, start + BatchSize)];
    }

    /// <summary>A 64-bit seed derived from a base seed and two counters (splitmix64 finaliser), for per-step and
    /// per-sample generators that stay reproducible across resumes.</summary>
    public static ulong MixSeed(ulong seed, ulong a, ulong b)
    {
        var z = seed + (0x9E3779B97F4A7C15UL * (a + 1)) + (0xBF58476D1CE4E5B9UL * (b + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
