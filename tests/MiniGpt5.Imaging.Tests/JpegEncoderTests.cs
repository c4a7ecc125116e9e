using MiniGpt5.Imaging.Jpeg;

namespace MiniGpt5.Imaging.Tests;

public sealed class JpegEncoderTests
{
    public static TheoryData<string> EncodeCases => Golden.Names("encode", "pillow");

    /// <summary>
    /// Tolerance: byte-identical to Pillow 9.4 (libjpeg-turbo 2.1.5) for the same pixels, quality and
    /// subsampling; the encoder copies libjpeg's integer pipeline and marker layout.
    /// </summary>
    [Theory]
    [MemberData(nameof(EncodeCases))]
    public void Encodes_byte_identical_to_Pillow(string pillow)
    {
        var c = Golden.Case("encode", "pillow", pillow);
        var source = ImageCodec.Decode(Golden.Bytes(c.GetProperty("source").GetString()!));
        var options = new JpegEncoderOptions
        {
            Quality = c.GetProperty("quality").GetInt32(),
            Subsampling = (JpegSubsampling)c.GetProperty("subsampling").GetInt32(),
        };

        var ours = JpegEncoder.Encode(source, options);

        var expected = Golden.Bytes(pillow);
        Assert.Equal(expected.Length, ours.Length);
        Assert.Equal(expected, ours);
    }

    /// <summary>Round trip through our decoder: PSNR ≥ 30 dB at quality 90 on a photo-like image.</summary>
    [Theory]
    [InlineData(JpegSubsampling.Chroma420)]
    [InlineData(JpegSubsampling.Chroma422)]
    [InlineData(JpegSubsampling.Chroma444)]
    public void Round_trip_psnr_is_high(JpegSubsampling subsampling)
    {
        var source = ImageCodec.Decode(Golden.Bytes("encode/enc_rgb_64x48.png"));
        var decoded = ImageCodec.Decode(JpegEncoder.Encode(source, new JpegEncoderOptions { Quality = 90, Subsampling = subsampling }));
        Assert.True(Psnr(source.Pixels, decoded.Pixels) >= 30, $"PSNR {Psnr(source.Pixels, decoded.Pixels):F1} dB");
    }

    [Fact]
    public void Alpha_is_dropped()
    {
        var rgba = new Image(9, 9, PixelFormat.Rgba);
        rgba.Pixels.AsSpan().Fill(200);
        Assert.Equal(PixelFormat.Rgb, ImageCodec.Decode(JpegEncoder.Encode(rgba)).Format);
    }

    internal static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }

        var mse = sum / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
