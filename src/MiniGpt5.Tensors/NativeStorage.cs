using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors;

/// <summary>Host memory from the native heap, 64-byte aligned so AVX-512 loads never split a cache line.</summary>
public sealed unsafe class NativeStorage : TensorStorage
{
    /// <summary>Alignment of every allocation, in bytes.</summary>
    public const int Alignment = 64;

    [ThreadStatic]
    private static long _allocationsOnThisThread;

    private void* _memory;

    /// <summary>Allocates <paramref name="byteLength"/> bytes, zeroed when <paramref name="zero"/> is true.</summary>
    public NativeStorage(long byteLength, bool zero = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ByteLength = byteLength;
        _allocationsOnThisThread++;
        // Allocate at least one byte so Pointer is always a real address.
        _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(byteLength, 1), Alignment);
        if (zero)
        {
            NativeMemory.Clear(_memory, (nuint)Math.Max(byteLength, 1));
        }
    }

    /// <summary>How many storages this thread has allocated (tests use it to prove a decode step allocates none).</summary>
    internal static long AllocationsOnThisThread => _allocationsOnThisThread;

    /// <inheritdoc />
    public override nint Pointer => (nint)_memory;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    protected override void Free()
    {
        NativeMemory.AlignedFree(_memory);
        _memory = null;
    }
}
