using System.Buffers.Binary;
using System.Text;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>
/// Checkpoints over 4 GiB (a 9.98 GB Vicuna shard) carry ZIP64 records. A small fixture is rewritten with
/// every size and offset moved into ZIP64 fields, which must read exactly like the original.
/// </summary>
public sealed class Zip64Tests
{
    [Fact]
    public void A_zip64_directory_reads_like_the_plain_one()
    {
        var source = Golden.PathOf("shared_views.pt");
        using var temp = new TempFolder();
        var target = temp.File("zip64.pt");
        File.WriteAllBytes(target, RewriteAsZip64(source));

        using var original = CheckpointSet.Open(source);
        using var rewritten = CheckpointSet.Open(target, new CheckpointOpenOptions { VerifyChecksums = true });

        Assert.Equal(original.Keys, rewritten.Keys);
        foreach (var name in original.Keys)
        {
            var a = new byte[original[name].ByteLength];
            var b = new byte[rewritten[name].ByteLength];
            original[name].CopyTo(a);
            rewritten[name].CopyTo(b);
            Assert.Equal(a, b);
        }
    }

    private static byte[] RewriteAsZip64(string path)
    {
        var bytes = File.ReadAllBytes(path);
        IReadOnlyDictionary<string, ZipEntry> entries;
        var mapping = MemoryMappedFileStorage.Open(path);
        try
        {
            entries = ZipDirectory.Read(new MappedBytes(mapping, path));
        }
        finally
        {
            mapping.Release();
        }

        var directoryStart = entries.Values.Max(e => e.DataOffset + e.CompressedSize);
        using var output = new MemoryStream();
        output.Write(bytes, 0, (int)directoryStart);
        var directoryOffset = output.Position;
        foreach (var e in entries.Values.OrderBy(e => e.LocalHeaderOffset))
        {
            var name = Encoding.UTF8.GetBytes(e.Name);
            var header = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), e.Method);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), e.Crc32);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), uint.MaxValue);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), uint.MaxValue);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(30), 4 + 24);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), uint.MaxValue);
            output.Write(header);
            output.Write(name);
            var extra = new byte[4 + 24];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), 24);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(4), (ulong)e.UncompressedSize);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(12), (ulong)e.CompressedSize);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(20), (ulong)e.LocalHeaderOffset);
            output.Write(extra);
        }

        var directorySize = output.Position - directoryOffset;
        var zip64End = output.Position;
        var record = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(24), (ulong)entries.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(32), (ulong)entries.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(40), (ulong)directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(48), (ulong)directoryOffset);
        output.Write(record);

        var locator = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), (ulong)zip64End);
        BinaryPrimitives.WriteUInt32LittleEndian(locator.AsSpan(16), 1);
        output.Write(locator);

        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), uint.MaxValue);
        output.Write(end);
        return output.ToArray();
    }
}
