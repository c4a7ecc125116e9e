namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>One member of a zip archive, with where its bytes start in the file.</summary>
internal sealed record ZipEntry(
    string Name,
    ushort Method,
    uint Crc32,
    long CompressedSize,
    long UncompressedSize,
    long LocalHeaderOffset,
    long DataOffset)
{
    /// <summary>Stored without compression: its bytes can be viewed in place.</summary>
    public const ushort Stored = 0;

    /// <summary>Raw deflate.</summary>
    public const ushort Deflated = 8;
}
