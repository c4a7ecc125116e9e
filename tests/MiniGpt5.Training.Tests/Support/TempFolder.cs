using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Png;

namespace MiniGpt5.Training.Tests.Support;

/// <summary>A temporary folder deleted on dispose, with helpers to write fixture files.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "minigpt5-training-" + Guid.NewGuid().ToString("N"));

    public string File(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    /// <summary>A solid-colour RGB PNG (named .jpg when asked: the codec sniffs the format, as Pillow does).</summary>
    public string Image(string relative, int width, int height, byte r, byte g, byte b)
    {
        var image = new Image(width, height, PixelFormat.Rgb);
        for (var i = 0; i < width * height; i++)
        {
            image.Pixels[(3 * i) + 0] = r;
            image.Pixels[(3 * i) + 1] = g;
            image.Pixels[(3 * i) + 2] = b;
        }

        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, PngEncoder.Encode(image));
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
