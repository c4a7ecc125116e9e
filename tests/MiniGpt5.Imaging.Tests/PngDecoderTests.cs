namespace MiniGpt5.Imaging.Tests;

public sealed class PngDecoderTests
{
    public static TheoryData<string> PngCases => Golden.Names("decode", "name", c => c.GetProperty("name").GetString()!.StartsWith("png_", StringComparison.Ordinal));

    /// <summary>Tolerance: exact. PNG is lossless, so every sample must equal Pillow's.</summary>
    [Theory]
    [MemberData(nameof(PngCases))]
    public void Decodes_like_Pillow(string name)
    {
        var c = Golden.Case("decode", "name", name);
        var image = ImageCodec.Decode(Golden.Bytes(c.GetProperty("input").GetString()!), sourceName: name);

        Assert.Equal(c.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(c.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(Golden.Format(c.GetProperty("format").GetString()!), image.Format);
        Assert.Equal(c.GetProperty("orientation").GetInt32(), image.ExifOrientation);
        Assert.Equal(Golden.Bytes(c.GetProperty("expected").GetString()!), image.Pixels);
    }

    [Fact]
    public void Corrupt_crc_is_refused_with_the_chunk_named()
    {
        var data = Golden.Bytes("png/png_rgb8.png");
        data[40] ^= 0x55; // inside the gAMA/PLTE region after IHDR: some chunk's body or CRC
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data, sourceName: "x.png"));
        Assert.Contains("x.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
        Assert.Equal(ImageFormat.Png, e.Format);
    }

    [Fact]
    public void Truncated_file_is_refused()
    {
        var data = Golden.Bytes("png/png_rgb8.png");
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data[..(data.Length / 2)]));
        Assert.Contains("truncated", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Huge_declared_size_is_refused_before_allocating()
    {
        // A valid 100000 x 100000 IHDR (10 gigapixels) followed by nothing.
        var image = PngEncoderTests.TinyPng();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(20), 100_000);
        var crc = Png.Crc32.Compute(image.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(29), crc);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(image));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("100000x100000", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1_000_000, $"Refusal allocated {allocated} bytes.");
    }

    [Fact]
    public void Pixel_limit_is_configurable()
    {
        var data = Golden.Bytes("png/png_rgb8.png"); // 33 x 21 = 693 pixels
        Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data, new ImageDecodeOptions { MaxPixels = 692 }));
        Assert.Equal(33, ImageCodec.Decode(data, new ImageDecodeOptions { MaxPixels = 693 }).Width);
    }

    [Fact]
    public void Corrupt_zlib_data_is_refused()
    {
        var image = new Image(40, 30, PixelFormat.Rgb);
        new Random(3).NextBytes(image.Pixels);
        var data = Png.PngEncoder.Encode(image, new Png.PngEncoderOptions { CompressionLevel = 1 });
        var idat = data.AsSpan().IndexOf("IDAT"u8);
        data[idat + 10] ^= 0xFF; // damage the deflate stream...
        var crc = Png.Crc32.Compute(data.AsSpan(idat, 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(idat - 4))));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(idat + 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(idat - 4))), crc); // ...but keep the CRC valid

        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data));
        Assert.Matches("zlib|truncated|filter", e.Message);
    }
}
