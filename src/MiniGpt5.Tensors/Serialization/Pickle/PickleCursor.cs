using System.Buffers.Binary;
using System.Text;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>Bounds-checked reads over a pickle stream; running off the end reports a truncated pickle.</summary>
internal ref struct PickleCursor
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;

    public PickleCursor(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        Position = position;
    }

    public int Position { get; private set; }

    public readonly bool AtEnd => Position >= _data.Length;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    // BINFLOAT is the one big-endian field of the format.
    public double ReadBigEndianDouble() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - Position)
        {
            throw new InvalidDataException(
                $"the pickle ends early: {count} more bytes needed at byte {Position} but the stream has {_data.Length} bytes (truncated or corrupted).");
        }

        var slice = _data.Slice(Position, (int)count);
        Position += (int)count;
        return slice;
    }

    /// <summary>A newline-terminated ASCII line (protocol 0 arguments and GLOBAL names), without the newline.</summary>
    public string ReadLine()
    {
        var rest = _data[Position..];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            throw new InvalidDataException($"the pickle ends inside a text argument starting at byte {Position} (truncated or corrupted).");
        }

        var line = rest[..end];
        Position += end + 1;
        foreach (var b in line)
        {
            if (b >= 0x80)
            {
                throw new InvalidDataException($"non-ASCII byte in a text argument at byte {Position - end - 1}.");
            }
        }

        return Encoding.ASCII.GetString(line);
    }

    public string ReadUtf8(long count)
    {
        var bytes = Take(count);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"a string before byte {Position} is not valid UTF-8: {e.Message}", e);
        }
    }
}
