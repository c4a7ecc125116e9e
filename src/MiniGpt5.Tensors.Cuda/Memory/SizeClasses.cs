using System.Numerics;

namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// How the caching allocator rounds requests, in the spirit of PyTorch's CUDACachingAllocator: small requests to a
/// 512-byte granule, large ones to a quarter of their power of two (so rounding wastes at most 25%) and to a 2 MiB
/// granule, so that similar sizes share a class and a returned block serves the next request of its kind.
/// </summary>
internal static class SizeClasses
{
    /// <summary>Granule of small blocks; also the alignment every kernel may assume (more than any vector load needs).</summary>
    public const long SmallGranule = 512;

    /// <summary>Requests up to this size are small.</summary>
    public const long SmallLimit = 1L << 20;

    /// <summary>Granule of large blocks (the driver's own large-page size).</summary>
    public const long LargeGranule = 2L << 20;

    /// <summary>Divisions of each power of two for large requests.</summary>
    public const int Divisions = 4;

    /// <summary>The size class (bytes reserved) for a request of <paramref name="bytes"/>.</summary>
    public static long Round(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= SmallLimit)
        {
            return Math.Max(SmallGranule, RoundUp(bytes, SmallGranule));
        }

        // bytes in (2^p, 2^(p+1)]: steps of 2^p / Divisions.
        var power = 63 - BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        var step = (1L << power) / Divisions;
        var rounded = RoundUp(bytes, step);
        return RoundUp(rounded, LargeGranule);
    }

    /// <summary>Whether a cached block of <paramref name="blockSize"/> may serve a request whose class is
    /// <paramref name="sizeClass"/>: never more than one class step too big, so a small request cannot pin a big
    /// block (fragmentation) while the next big request goes to the driver.</summary>
    public static bool CanServe(long blockSize, long sizeClass)
    {
        if (blockSize < sizeClass)
        {
            return false;
        }

        return sizeClass <= SmallLimit ? blockSize <= SmallLimit && blockSize - sizeClass < SmallGranule * 8 : blockSize <= sizeClass + sizeClass / Divisions;
    }

    private static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;
}
