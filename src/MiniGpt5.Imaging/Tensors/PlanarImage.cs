namespace MiniGpt5.Imaging.Tensors;

/// <summary>
/// Planar float32 pixels in CHW order, shape [<see cref="Channels"/>, <see cref="Height"/>, <see cref="Width"/>],
/// the layout torchvision's ToTensor produces. The engine wraps <see cref="Data"/> as a tensor without copying.
/// </summary>
public sealed class PlanarImage
{
    /// <summary>Wraps <paramref name="data"/> (not copied), which must hold channels × height × width values.</summary>
    public PlanarImage(int channels, int height, int width, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)channels * height * width != data.Length)
        {
            throw new ArgumentException($"Shape [{channels}, {height}, {width}] needs {(long)channels * height * width} values, the buffer has {data.Length}.", nameof(data));
        }

        Channels = channels;
        Height = height;
        Width = width;
        Data = data;
    }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>H.</summary>
    public int Height { get; }

    /// <summary>W.</summary>
    public int Width { get; }

    /// <summary>Values, channel planes one after another, each row-major.</summary>
    public float[] Data { get; }

    /// <summary>[C, H, W].</summary>
    public int[] Shape => [Channels, Height, Width];

    /// <summary>One channel plane, H × W values.</summary>
    public Span<float> Plane(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        return Data.AsSpan(channel * Height * Width, Height * Width);
    }
}
