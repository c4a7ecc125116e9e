using MiniGpt5.Imaging.Jpeg;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Imaging.WebP;
using MiniGpt5.Testing;

namespace MiniGpt5.Imaging.Tests;

/// <summary>
/// Our encoders' outputs for fixed sources are committed under tests/golden/imaging/ours/ and were decoded by
/// Pillow (<c>imaging_goldens.py --verify</c> → ours/pillow_verification.json). These tests pin the outputs
/// byte for byte, so that verification stays true; set MINIGPT5_WRITE_GOLDENS=1 to rewrite them after an
/// intentional encoder change, then rerun the script's --verify step.
/// </summary>
public sealed class EncoderOutputTests
{
    private static readonly bool Rewrite = Environment.GetEnvironmentVariable("MINIGPT5_WRITE_GOLDENS") == "1";

    public static TheoryData<string> Outputs => new()
    {
        "rgb__default.png", "rgba__default.png", "gray__level9.png",
        "rgb__lossless.webp", "rgba__lossless.webp", "gray__lossless.webp", "flat__lossless.webp",
        "rgb__q90_420.jpg", "rgb__q75_444.jpg",
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Output_is_pinned_and_was_verified_by_Pillow(string name)
    {
        var source = Source(name.Split("__")[0]);
        var bytes = name switch
        {
            "gray__level9.png" => PngEncoder.Encode(source, new PngEncoderOptions { CompressionLevel = 9 }),
            _ when name.EndsWith(".png", StringComparison.Ordinal) => PngEncoder.Encode(source),
            _ when name.EndsWith(".webp", StringComparison.Ordinal) => WebPLosslessEncoder.Encode(source),
            "rgb__q75_444.jpg" => JpegEncoder.Encode(source, new JpegEncoderOptions { Quality = 75, Subsampling = JpegSubsampling.Chroma444 }),
            _ => JpegEncoder.Encode(source, new JpegEncoderOptions { Quality = 90 }),
        };

        var folder = Path.Combine(RepoPaths.Golden, "imaging", "ours");
        if (Rewrite)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
            File.WriteAllBytes(Path.Combine(folder, name.Split("__")[0] + ".png"), PngEncoder.Encode(source));
        }

        Assert.Equal(Golden.Bytes($"ours/{name}"), bytes);
        var verification = System.Text.Json.JsonDocument.Parse(Golden.Bytes("ours/pillow_verification.json")).RootElement.GetProperty(name);
        Assert.True(verification.GetProperty("pillow_decodes").GetBoolean());
        if (verification.TryGetProperty("lossless", out var lossless))
        {
            Assert.True(lossless.GetBoolean(), $"Pillow decoded {name} to different pixels.");
        }

        if (verification.TryGetProperty("identical", out var identical))
        {
            Assert.True(identical.GetBoolean(), $"Pillow decoded {name} to different pixels.");
        }

        if (verification.TryGetProperty("psnr_db", out var psnr))
        {
            Assert.True(psnr.GetDouble() >= 30, $"{name}: PSNR {psnr.GetDouble()} dB through Pillow.");
        }
    }

    /// <summary>Deterministic sources: a photo-like golden, with alpha / gray variants, and a flat image.</summary>
    private static Image Source(string kind)
    {
        var photo = ImageCodec.Decode(Golden.Bytes("encode/enc_rgb_64x48.png"));
        switch (kind)
        {
            case "rgb":
                return photo;
            case "gray":
                return photo.ConvertTo(PixelFormat.Gray);
            case "flat":
                var flat = new Image(50, 30, PixelFormat.Rgb);
                flat.Pixels.AsSpan().Fill(77);
                return flat;
            default:
                var rgba = photo.ConvertTo(PixelFormat.Rgba);
                for (var i = 0; i < rgba.Width * rgba.Height; i++)
                {
                    rgba.Pixels[(4 * i) + 3] = (byte)(i * 7);
                }

                return rgba;
        }
    }
}
