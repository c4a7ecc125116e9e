using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors;

/// <summary>Host memory from the native heap, 64-byte aligned so AVX-512 loads never split a cache line.</summary>
public sealed unsafe class NativeStorage : TensorStorage
{
    /// <summary>Alignment of every allocation, in bytes.</summary>
    public const int Alignment = 64;

    [ThreadStatic]
    private static long _allocationsOnThisThread;

    private static long _liveBytes;
    private static long _peakBytes;

    private void* _memory;

    /// <summary>Allocates <paramref name="byteLength"/> bytes, zeroed when <paramref name="zero"/> is true.</summary>
    public NativeStorage(long byteLength, bool zero = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ByteLength = byteLength;
        _allocationsOnThisThread++;
        // Allocate at least one byte so Pointer is always a real address.
        _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(byteLength, 1), Alignment);
        var live = Interlocked.Add(ref _liveBytes, byteLength);
        for (var peak = Volatile.Read(ref _peakBytes); live > peak; peak = Volatile.Read(ref _peakBytes))
        {
            if (Interlocked.CompareExchange(ref _peakBytes, live, peak) == peak)
            {
                break;
            }
        }

        if (zero)
        {
            NativeMemory.Clear(_memory, (nuint)Math.Max(byteLength, 1));
        }
    }

    /// <summary>How many storages this thread has allocated (tests use it to prove a decode step allocates none).</summary>
    internal static long AllocationsOnThisThread => _allocationsOnThisThread;

    /// <summary>Bytes of native tensor storage allocated and not yet freed, process-wide (memory-mapped checkpoints are not counted).</summary>
    public static long LiveBytes => Volatile.Read(ref _liveBytes);

    /// <summary>The most <see cref="LiveBytes"/> has been since the process started or the last <see cref="ResetPeakBytes"/>.</summary>
    public static long PeakBytes => Volatile.Read(ref _peakBytes);

    /// <summary>Starts a new high-water mark at the current <see cref="LiveBytes"/> (e.g. after loading weights, before a timed pass).</summary>
    public static void ResetPeakBytes() => Volatile.Write(ref _peakBytes, Volatile.Read(ref _liveBytes));

    /// <inheritdoc />
    public override nint Pointer => (nint)_memory;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    protected override void Free()
    {
        NativeMemory.AlignedFree(_memory);
        _memory = null;
        Interlocked.Add(ref _liveBytes, -ByteLength);
    }
}
