using System.Text.Json;
using MiniGpt5.Testing;

namespace MiniGpt5.Imaging.Tests;

/// <summary>Reads tests/golden/imaging (written by tools/reference/imaging_goldens.py with Pillow 9.4).</summary>
internal static class Golden
{
    private static readonly Lazy<JsonDocument> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(RepoPaths.GoldenFile("imaging", "manifest.json"))));

    public static string Path(string relative) => RepoPaths.GoldenFile("imaging", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    public static JsonElement.ArrayEnumerator Cases(string section) => Manifest.Value.RootElement.GetProperty(section).EnumerateArray();

    public static TheoryData<string> Names(string section, string key, Func<JsonElement, bool>? where = null)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases(section))
        {
            if (where is null || where(c))
            {
                data.Add(c.GetProperty(key).GetString()!);
            }
        }

        return data;
    }

    public static JsonElement Case(string section, string key, string value)
    {
        foreach (var c in Cases(section))
        {
            if (c.GetProperty(key).GetString() == value)
            {
                return c;
            }
        }

        throw new KeyNotFoundException($"No '{section}' golden with {key} = {value}.");
    }

    public static PixelFormat Format(string pillowMode) => pillowMode switch
    {
        "L" => PixelFormat.Gray,
        "LA" => PixelFormat.GrayAlpha,
        "RGB" => PixelFormat.Rgb,
        "RGBA" => PixelFormat.Rgba,
        _ => throw new ArgumentException($"Unknown mode {pillowMode}"),
    };

    /// <summary>Largest absolute difference between two byte buffers of equal length.</summary>
    public static int MaxAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
