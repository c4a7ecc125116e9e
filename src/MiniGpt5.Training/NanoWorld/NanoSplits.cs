using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Which split a piece of content belongs to. The split is a function of the content itself, not of the seed
/// that made it: bucket = (first 8 bytes of SHA-256("nanoworld|" + key), little-endian) mod 100, where key is
/// <see cref="NanoScene.Key"/> for a caption's scene or <see cref="NanoStory.Key"/> for a story; buckets 0–89
/// are train, 90–94 val, 95–99 test. So a test story (or val/test caption scene) can never occur in any
/// training set, whatever seeds and counts made the sets, and two runs always agree.
/// </summary>
public static class NanoSplits
{
    /// <summary>The split of content with canonical <paramref name="key"/>.</summary>
    public static NanoSplit Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("nanoworld|" + key), hash);
        var bucket = BinaryPrimitives.ReadUInt64LittleEndian(hash) % 100;
        return bucket switch
        {
            < 90 => NanoSplit.Train,
            < 95 => NanoSplit.Val,
            _ => NanoSplit.Test,
        };
    }

    /// <summary>"train", "val" or "test": the name used in file names.</summary>
    public static string Name(NanoSplit split) => split switch
    {
        NanoSplit.Train => "train",
        NanoSplit.Val => "val",
        NanoSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    /// <summary>The split named <paramref name="name"/> ("train", "val" or "test", any case).</summary>
    public static NanoSplit Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToUpperInvariant() switch
        {
            "TRAIN" => NanoSplit.Train,
            "VAL" => NanoSplit.Val,
            "TEST" => NanoSplit.Test,
            _ => throw new ArgumentException($"Unknown split '{name}'; use train, val or test.", nameof(name)),
        };
    }
}
