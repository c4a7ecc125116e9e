namespace MiniGpt5.Tensors.Cpu;

/// <summary>Host allocation and host "transfers" shared by the CPU backends.</summary>
internal static unsafe class CpuMemory
{
    public static TensorStorage Allocate(long byteLength, bool zeroed) => new NativeStorage(byteLength, zeroed);

    public static void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset)
    {
        CheckRange(destination, destinationByteOffset, source.Length);
        source.CopyTo(new Span<byte>((byte*)destination.Pointer + destinationByteOffset, source.Length));
    }

    public static void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination)
    {
        CheckRange(source, sourceByteOffset, destination.Length);
        new ReadOnlySpan<byte>((byte*)source.Pointer + sourceByteOffset, destination.Length).CopyTo(destination);
    }

    private static void CheckRange(TensorStorage storage, long offset, long length)
    {
        if (offset < 0 || offset + length > storage.ByteLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), offset, $"Bytes {offset}..{offset + length} are outside a storage of {storage.ByteLength} bytes.");
        }
    }
}
