using System.Buffers.Binary;
using System.Text;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// Reads a zip archive's central directory (with ZIP64 for files and entries over 4 GiB, as PyTorch writes
/// for big checkpoints) and locates each member's bytes through its local header. Our own reader rather
/// than System.IO.Compression because we need the data offsets to map stored members zero-copy.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint LocalHeader = 0x04034b50;
    private const int EndRecordSize = 22;

    public static IReadOnlyDictionary<string, ZipEntry> Read(MappedBytes file)
    {
        var eocd = FindEndRecord(file);
        long entryCount = file.UInt16(eocd + 10, "zip end record");
        long directorySize = file.UInt32(eocd + 12, "zip end record");
        long directoryOffset = file.UInt32(eocd + 16, "zip end record");
        var diskNumber = file.UInt16(eocd + 4, "zip end record");
        var directoryEnd = eocd;

        if (eocd >= 20 && file.UInt32(eocd - 20, "zip64 locator") == Zip64Locator)
        {
            var record = checked((long)file.UInt64(eocd - 20 + 8, "zip64 locator"));
            if (file.UInt32(record, "zip64 end record") != Zip64EndOfCentralDirectory)
            {
                throw Corrupt(file, null, "the ZIP64 end-of-directory record is missing where its locator points.");
            }

            entryCount = checked((long)file.UInt64(record + 32, "zip64 end record"));
            directorySize = checked((long)file.UInt64(record + 40, "zip64 end record"));
            directoryOffset = checked((long)file.UInt64(record + 48, "zip64 end record"));
            diskNumber = (ushort)file.UInt32(record + 16, "zip64 end record");
            directoryEnd = record;
        }

        if (diskNumber != 0)
        {
            throw Corrupt(file, null, "multi-part (spanned) zip archives are not supported.");
        }

        if (directoryOffset < 0 || directorySize < 0 || directoryOffset > directoryEnd - directorySize)
        {
            throw Corrupt(file, null,
                $"the central directory [{directoryOffset}, {directoryOffset + directorySize}) does not fit before its end record at {directoryEnd}; the file is truncated or corrupted.");
        }

        var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        var p = directoryOffset;
        var limit = directoryOffset + directorySize;
        for (long i = 0; i < entryCount; i++)
        {
            if (p > limit - 46 || file.UInt32(p, "zip central directory") != CentralHeader)
            {
                throw Corrupt(file, null, $"central directory entry {i} of {entryCount} is damaged.");
            }

            var flags = file.UInt16(p + 8, "zip central directory");
            var method = file.UInt16(p + 10, "zip central directory");
            var crc = file.UInt32(p + 16, "zip central directory");
            long compressed = file.UInt32(p + 20, "zip central directory");
            long uncompressed = file.UInt32(p + 24, "zip central directory");
            var nameLength = file.UInt16(p + 28, "zip central directory");
            var extraLength = file.UInt16(p + 30, "zip central directory");
            var commentLength = file.UInt16(p + 32, "zip central directory");
            long localOffset = file.UInt32(p + 42, "zip central directory");
            var nameBytes = file.Span(p + 46, nameLength, "zip entry name");
            var name = (flags & 0x800) != 0 || IsAscii(nameBytes) ? DecodeUtf8(file, nameBytes) : Encoding.Latin1.GetString(nameBytes);

            ReadZip64Extra(file, name, file.Span(p + 46 + nameLength, extraLength, "zip extra field"), ref uncompressed, ref compressed, ref localOffset);

            if ((flags & 0x1) != 0)
            {
                throw Corrupt(file, name, "the entry is encrypted.");
            }

            if (method is not (ZipEntry.Stored or ZipEntry.Deflated))
            {
                throw Corrupt(file, name, $"compression method {method} is not supported (only stored and deflate).");
            }

            if (method == ZipEntry.Stored && compressed != uncompressed)
            {
                throw Corrupt(file, name, $"a stored entry with compressed size {compressed} and size {uncompressed}.");
            }

            if (file.UInt32(localOffset, "zip local header") != LocalHeader)
            {
                throw Corrupt(file, name, $"no local header at offset {localOffset}.");
            }

            var localNameLength = file.UInt16(localOffset + 26, "zip local header");
            var localExtraLength = file.UInt16(localOffset + 28, "zip local header");
            if (!file.Span(localOffset + 30, localNameLength, "zip local header").SequenceEqual(nameBytes))
            {
                throw Corrupt(file, name, "the local header names a different entry than the central directory.");
            }

            var dataOffset = localOffset + 30 + localNameLength + localExtraLength;
            if (dataOffset > directoryOffset - compressed)
            {
                throw Corrupt(file, name,
                    $"its data [{dataOffset}, {dataOffset + compressed}) runs into the central directory at {directoryOffset}; the file is truncated or corrupted.");
            }

            if (!entries.TryAdd(name, new ZipEntry(name, method, crc, compressed, uncompressed, localOffset, dataOffset)))
            {
                throw Corrupt(file, name, "the archive holds two entries with this name.");
            }

            p += 46 + nameLength + extraLength + commentLength;
        }

        return entries;
    }

    private static long FindEndRecord(MappedBytes file)
    {
        // The end record is the last 22 bytes plus a comment of up to 64 KiB; search backwards for its
        // signature and accept the first whose comment length reaches exactly the end of the file.
        var lowest = Math.Max(0, file.Length - EndRecordSize - 0xFFFF);
        for (var pos = file.Length - EndRecordSize; pos >= lowest; pos--)
        {
            if (file.UInt32(pos, "zip end record") == EndOfCentralDirectory &&
                pos + EndRecordSize + file.UInt16(pos + 20, "zip end record") == file.Length)
            {
                return pos;
            }
        }

        throw Corrupt(file, null, "no zip end-of-central-directory record: the file is truncated, or it is not a zip archive.");
    }

    private static void ReadZip64Extra(MappedBytes file, string name, ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localOffset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (size > extra.Length - 4)
            {
                throw Corrupt(file, name, "an extra field runs past the end of its header.");
            }

            var body = extra.Slice(4, size);
            if (id == 0x0001)
            {
                // ZIP64: 64-bit values for exactly those 32-bit fields that hold 0xFFFFFFFF, in this order.
                var at = 0;
                ReadIfSaturated(file, name, body, ref at, ref uncompressed);
                ReadIfSaturated(file, name, body, ref at, ref compressed);
                ReadIfSaturated(file, name, body, ref at, ref localOffset);
            }

            extra = extra[(4 + size)..];
        }
    }

    private static void ReadIfSaturated(MappedBytes file, string name, ReadOnlySpan<byte> body, ref int at, ref long value)
    {
        if (value != uint.MaxValue)
        {
            return;
        }

        if (at + 8 > body.Length)
        {
            throw Corrupt(file, name, "the ZIP64 extra field is too short.");
        }

        var wide = BinaryPrimitives.ReadUInt64LittleEndian(body[at..]);
        if (wide > long.MaxValue)
        {
            throw Corrupt(file, name, "a ZIP64 size or offset is out of range.");
        }

        value = (long)wide;
        at += 8;
    }

    private static bool IsAscii(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyInRange((byte)0x80, (byte)0xFF);

    private static string DecodeUtf8(MappedBytes file, ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw Corrupt(file, null, "an entry name is not valid UTF-8.");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static CheckpointFormatException Corrupt(MappedBytes file, string? entry, string detail) => new(file.Path, entry, detail);
}
