using System.Buffers.Binary;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// Bounds-checked reads from a memory-mapped file of any size (spans are limited to 2 GiB; offsets here are
/// 64-bit). A read past the end reports the file as truncated, naming it and what was being read.
/// </summary>
internal readonly unsafe struct MappedBytes
{
    private readonly byte* _start;

    public MappedBytes(TensorStorage storage, string path)
    {
        _start = (byte*)storage.Pointer;
        Length = storage.ByteLength;
        Path = path;
    }

    public long Length { get; }

    public string Path { get; }

    public byte* Pointer => _start;

    public ReadOnlySpan<byte> Span(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length - count)
        {
            throw new CheckpointFormatException(Path, null,
                $"{what} at bytes [{offset}, {offset + count}) lies beyond the end of the file ({Length} bytes): the file is truncated or corrupted.");
        }

        if (count > int.MaxValue)
        {
            throw new CheckpointFormatException(Path, null, $"{what} of {count} bytes is too large to read as one block.");
        }

        return new ReadOnlySpan<byte>(_start + offset, (int)count);
    }

    public ushort UInt16(long offset, string what) => BinaryPrimitives.ReadUInt16LittleEndian(Span(offset, 2, what));

    public uint UInt32(long offset, string what) => BinaryPrimitives.ReadUInt32LittleEndian(Span(offset, 4, what));

    public ulong UInt64(long offset, string what) => BinaryPrimitives.ReadUInt64LittleEndian(Span(offset, 8, what));
}
