using MiniGpt5.Imaging.Tensors;

namespace MiniGpt5.Imaging.Tests;

public sealed class PreprocessingTests
{
    public static TheoryData<string> Cases => Golden.Names("preprocess", "pixels", c => c.TryGetProperty("pixels", out _));

    /// <summary>
    /// Pixels: max abs error ≤ 1 on uint8 against Pillow + torchvision semantics (observed 0).
    /// Tensor: |ours − torch| ≤ 1e-6 on the stored slice (float32 ops in the same order give identical values;
    /// the bound allows for a 1-ulp difference), mean and std within 1e-4 of numpy's.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_MiniGpt5_preprocessing(string pixels)
    {
        var c = Golden.Case("preprocess", "pixels", pixels);
        var source = ImageCodec.Decode(Golden.Bytes(c.GetProperty("source").GetString()!));
        var expected = ImageCodec.Decode(Golden.Bytes(pixels));
        var isClip = c.GetProperty("pipeline").GetString() == "clip";
        var pad = c.GetProperty("pad").GetBoolean();

        var ourPixels = isClip
            ? MiniGpt5ImageTransforms.ClipInputPixels(source, pad)
            : MiniGpt5ImageTransforms.StableDiffusionTargetPixels(source);
        var tensor = isClip
            ? MiniGpt5ImageTransforms.ClipInput(source, pad)
            : MiniGpt5ImageTransforms.StableDiffusionTarget(source);

        var size = isClip ? 224 : 512;
        Assert.Equal((size, size), (ourPixels.Width, ourPixels.Height));
        Assert.True(Golden.MaxAbsDiff(expected.Pixels, ourPixels.Pixels) <= 1, $"{pixels}: pixels differ by more than 1");
        Assert.Equal([3, size, size], tensor.Shape);

        var at = c.TryGetProperty("corner_at", out var corner) ? corner[0].GetInt32() : 0;
        var expectedSlice = c.GetProperty("corner").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var i = 0;
        for (var ch = 0; ch < 3; ch++)
        {
            for (var y = at; y < at + 4; y++)
            {
                for (var x = at; x < at + 4; x++)
                {
                    var ours = tensor.Data[(ch * size * size) + (y * size) + x];
                    Assert.True(Math.Abs(ours - expectedSlice[i]) <= 1e-6f, $"[{ch},{y},{x}] ours {ours} torch {expectedSlice[i]}");
                    i++;
                }
            }
        }

        var mean = tensor.Data.Average(v => (double)v);
        var std = Math.Sqrt(tensor.Data.Average(v => ((double)v - mean) * ((double)v - mean)));
        Assert.Equal(c.GetProperty("mean").GetDouble(), mean, 1e-4);
        Assert.Equal(c.GetProperty("std").GetDouble(), std, 1e-4);
    }

    /// <summary>Tolerance: exact; (x/2+0.5).clamp(0,1), ×255, round-half-even, all float32 as diffusers does.</summary>
    [Fact]
    public void Vae_output_becomes_uint8_like_diffusers()
    {
        var c = Golden.Cases("preprocess").First(e => e.GetProperty("pipeline").GetString() == "vae");
        var raw = Golden.Bytes(c.GetProperty("input").GetString()!);
        var values = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, values, 0, raw.Length);

        var image = ImageTensors.FromVaeOutput(values, 3, 8, 8);

        Assert.Equal(Golden.Bytes(c.GetProperty("expected").GetString()!), image.Pixels);
    }

    [Fact]
    public void To_tensor_then_from_unit_range_round_trips()
    {
        var image = new Image(6, 5, PixelFormat.Rgb);
        new Random(9).NextBytes(image.Pixels);
        var tensor = ImageTensors.ToTensor(image);
        Assert.Equal(image.Pixels, ImageTensors.FromUnitRange(tensor.Data, 3, 5, 6).Pixels);
        Assert.Equal(image.Pixels[4] / 255f, tensor.Data[(1 * 30) + 1]); // channel 1 of pixel 1
    }

    [Fact]
    public void Nan_and_out_of_range_values_are_clamped()
    {
        var image = ImageTensors.FromVaeOutput([float.NaN, -3f, 3f], 1, 1, 3);
        Assert.Equal([0, 0, 255], image.Pixels);
    }
}
