using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors;

/// <summary>Host memory from the native heap, 64-byte aligned so AVX-512 loads never split a cache line.</summary>
public sealed unsafe partial class NativeStorage : TensorStorage
{
    /// <summary>Alignment of every allocation, in bytes.</summary>
    public const int Alignment = 64;

    /// <summary>Size of a transparent huge page on x86-64 and arm64 Linux.</summary>
    private const long HugePageBytes = 2 << 20;

    /// <summary>madvise(2) advice asking the kernel to back a range with transparent huge pages.</summary>
    private const int MadviseHugePage = 14;

    [ThreadStatic]
    private static long _allocationsOnThisThread;

    private static long _liveBytes;
    private static long _peakBytes;

    private void* _memory;

    /// <summary>
    /// Allocates <paramref name="byteLength"/> bytes, zeroed when <paramref name="zero"/> is true. With
    /// <paramref name="hugePages"/> a large allocation is 2 MiB-aligned and advised for transparent huge pages on Linux
    /// (best effort): for tensors streamed end to end every step, such as an LLM's weights during decoding, because
    /// the hardware prefetcher stops at every 4 KiB page boundary and each page costs a TLB miss.
    /// </summary>
    public NativeStorage(long byteLength, bool zero = true, bool hugePages = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ByteLength = byteLength;
        _allocationsOnThisThread++;
        if (hugePages && byteLength >= HugePageBytes && OperatingSystem.IsLinux())
        {
            var rounded = (byteLength + HugePageBytes - 1) & ~(HugePageBytes - 1);
            _memory = NativeMemory.AlignedAlloc((nuint)rounded, (nuint)HugePageBytes);
            AdviseHugePages(_memory, rounded);
        }
        else
        {
            // Allocate at least one byte so Pointer is always a real address.
            _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(byteLength, 1), Alignment);
        }

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

    private static void AdviseHugePages(void* memory, long byteLength)
    {
        try
        {
            // A refusal (THP disabled, an old kernel) only costs speed, so its result is not an error.
            _ = Madvise(memory, (nuint)byteLength, MadviseHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc/musl: no advice, same memory.
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
