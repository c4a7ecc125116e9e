using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Grow-only, 64-byte-aligned float buffers owned by the calling thread, one per <see cref="Slot"/>, so hot kernels
/// (GEMM packing, decoding GEMV, attention tiles) allocate nothing after the first call on a thread. They are
/// pinned managed arrays: reclaimed with the thread, no finalizer. A pointer stays valid until the same slot is
/// asked for again on the same thread, so each kernel owns its slot.
/// </summary>
internal static unsafe class PinnedScratch
{
    [ThreadStatic]
    private static float[]?[]? _buffers;

    /// <summary>The kernels' slots.</summary>
    public enum Slot
    {
        /// <summary>GEMM: packed A (all rows of one depth block).</summary>
        GemmA,

        /// <summary>GEMM: packed B (one column block of one depth block).</summary>
        GemmB,

        /// <summary>GEMV: the rows of A as float32.</summary>
        GemvRows,

        /// <summary>Attention: packed tiles of one (head, query block) task.</summary>
        Attention,

        /// <summary>Attention: packed keys and values of one head, shared by its tasks.</summary>
        AttentionKeys,
    }

    /// <summary>At least <paramref name="floats"/> floats for <paramref name="slot"/>, 64-byte aligned.</summary>
    public static float* Get(Slot slot, long floats)
    {
        _buffers ??= new float[Enum.GetValues<Slot>().Length][];
        ref var buffer = ref _buffers[(int)slot];
        if (buffer is null || floats + 16 > buffer.Length)
        {
            buffer = GC.AllocateUninitializedArray<float>(checked((int)(floats + 16)), pinned: true);
        }

        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }
}
