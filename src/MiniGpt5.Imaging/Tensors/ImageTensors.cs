namespace MiniGpt5.Imaging.Tensors;

/// <summary>
/// Conversions between 8-bit <see cref="Image"/> and planar float32 CHW data, with the exact float32
/// arithmetic of torchvision (ToTensor, Normalize) and diffusers (VAE output to uint8).
/// </summary>
public static class ImageTensors
{
    /// <summary>CLIP / EVA-CLIP normalisation mean (RGB), as in MiniGPT-5's image processor.</summary>
    public static ReadOnlySpan<float> ClipMean => [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>CLIP / EVA-CLIP normalisation std (RGB).</summary>
    public static ReadOnlySpan<float> ClipStd => [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>
    /// torchvision <c>ToTensor</c>: HWC bytes → CHW float32 in [0, 1], each value <c>(float)b / 255f</c>
    /// (torch's float32 division). Every channel of the image's format is kept.
    /// </summary>
    public static PlanarImage ToTensor(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int channels = image.Channels, plane = image.Width * image.Height;
        var data = new float[channels * plane];
        var pixels = image.Pixels;
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                data[(c * plane) + i] = pixels[(i * channels) + c] / 255f;
            }
        }

        return new PlanarImage(channels, image.Height, image.Width, data);
    }

    /// <summary>torchvision <c>Normalize(mean, std)</c> in place: <c>(x - mean[c]) / std[c]</c> in float32.</summary>
    public static void Normalize(PlanarImage tensor, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (mean.Length != tensor.Channels || std.Length != tensor.Channels)
        {
            throw new ArgumentException($"Normalize needs {tensor.Channels} means and stds, got {mean.Length} and {std.Length}.", nameof(mean));
        }

        for (var c = 0; c < tensor.Channels; c++)
        {
            float m = mean[c], s = std[c];
            var values = tensor.Plane(c);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (values[i] - m) / s;
            }
        }
    }

    /// <summary>Normalize(0.5, 0.5) on every channel: [0, 1] → [-1, 1], as Stable Diffusion's VAE expects.</summary>
    public static void NormalizeToSignedUnit(PlanarImage tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        foreach (ref var v in tensor.Data.AsSpan())
        {
            v = (v - 0.5f) / 0.5f;
        }
    }

    /// <summary>
    /// [0, 1] float CHW → 8-bit image like diffusers' <c>numpy_to_pil</c>: <c>round(x * 255)</c> in float32
    /// with numpy's round-half-even, after clamping to [0, 1]. 1 channel → Gray, 3 → RGB, 4 → RGBA.
    /// </summary>
    public static Image FromUnitRange(ReadOnlySpan<float> chw, int channels, int height, int width) =>
        ToImage(chw, channels, height, width, static x => x);

    /// <summary>
    /// VAE decoder output in [-1, 1] (CHW) → 8-bit image exactly as diffusers does it:
    /// <c>(x / 2 + 0.5).clamp(0, 1)</c>, then <c>(x * 255).round().astype("uint8")</c>, all in float32.
    /// </summary>
    public static Image FromVaeOutput(ReadOnlySpan<float> chw, int channels, int height, int width) =>
        ToImage(chw, channels, height, width, static x => (x / 2f) + 0.5f);

    /// <summary>Same as <see cref="FromVaeOutput(ReadOnlySpan{float}, int, int, int)"/> for a <see cref="PlanarImage"/>.</summary>
    public static Image FromVaeOutput(PlanarImage tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return FromVaeOutput(tensor.Data, tensor.Channels, tensor.Height, tensor.Width);
    }

    private static Image ToImage(ReadOnlySpan<float> chw, int channels, int height, int width, Func<float, float> toUnit)
    {
        var format = channels switch
        {
            1 => PixelFormat.Gray,
            3 => PixelFormat.Rgb,
            4 => PixelFormat.Rgba,
            _ => throw new ArgumentException($"Cannot make an image from {channels} channels; 1, 3 or 4 are supported.", nameof(channels)),
        };
        var plane = (long)height * width;
        if (chw.Length != channels * plane)
        {
            throw new ArgumentException($"Shape [{channels}, {height}, {width}] needs {channels * plane} values, got {chw.Length}.", nameof(chw));
        }

        var image = new Image(width, height, format);
        var pixels = image.Pixels;
        for (var c = 0; c < channels; c++)
        {
            var source = chw.Slice((int)(c * plane), (int)plane);
            for (var i = 0; i < source.Length; i++)
            {
                // Clamp to [0, 1] (NaN becomes 0, as torch.clamp then astype(uint8) would give an undefined byte).
                var unit = toUnit(source[i]);
                unit = unit >= 0f ? Math.Min(unit, 1f) : 0f;
                pixels[(i * channels) + c] = (byte)MathF.Round(unit * 255f, MidpointRounding.ToEven);
            }
        }

        return image;
    }
}
