using System.Net;
using MiniGpt5.Imaging;

namespace MiniGpt5.Functions.Tests.Books;

public sealed class ChromiumRenderTests
{
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
    ];

    [ChromiumFact]
    public async Task Index_html_renders_at_phone_width_with_its_images_and_every_step()
    {
        var (book, plan) = await SampleBookFolder.CreateAsync();
        using var _ = book;
        var page = new Uri(book.PathOf("index.html")).AbsoluteUri;
        var profile = Directory.CreateTempSubdirectory("minigpt5-chromium-");
        try
        {
            var screenshot = Path.Combine(profile.FullName, "phone.png");
            var (code, _, error) = await ExternalTool.RunAsync(ChromiumFactAttribute.Path,
                [.. Flags, $"--user-data-dir={Path.Combine(profile.FullName, "a")}", "--window-size=390,844", $"--screenshot={screenshot}", page],
                TimeSpan.FromSeconds(120));
            Assert.True(code == 0 && File.Exists(screenshot), $"chromium --screenshot failed ({code}): {error}");
            if (Environment.GetEnvironmentVariable("MINIGPT5_KEEP_BOOK") is { Length: > 0 } keep)
            {
                File.Copy(screenshot, Path.Combine(keep, "phone-screenshot.png"), overwrite: true);
            }

            var image = ImageCodec.Decode(await File.ReadAllBytesAsync(screenshot)).ConvertTo(PixelFormat.Rgb);
            Assert.Equal((390, 844), (image.Width, image.Height));
            var pixels = image.Pixels;
            var colours = new HashSet<int>();
            var lightBlue = 0;
            for (var i = 0; i < pixels.Length; i += 3)
            {
                colours.Add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
                var (r, g, b) = ShapePictures.LightBlue;
                if (Math.Abs(pixels[i] - r) <= 2 && Math.Abs(pixels[i + 1] - g) <= 2 && Math.Abs(pixels[i + 2] - b) <= 2)
                {
                    lightBlue++;
                }
            }

            // Text anti-aliasing alone gives dozens of colours; a blank page gives one.
            Assert.True(colours.Count > 30, $"the screenshot looks blank ({colours.Count} colours)");
            // The first picture (a red circle on light blue) fills most of the column below the title: it loaded.
            Assert.True(lightBlue > 20_000, $"the first step's image did not render ({lightBlue} light-blue pixels)");

            var (domCode, dom, domError) = await ExternalTool.RunAsync(ChromiumFactAttribute.Path,
                [.. Flags, $"--user-data-dir={Path.Combine(profile.FullName, "b")}", "--dump-dom", page],
                TimeSpan.FromSeconds(120));
            Assert.True(domCode == 0, $"chromium --dump-dom failed ({domCode}): {domError}");
            var text = WebUtility.HtmlDecode(dom);
            Assert.All(plan.Steps, step => Assert.Contains(step.Text, text, StringComparison.Ordinal));
            Assert.Contains("Illustration unavailable", text, StringComparison.Ordinal);
            Assert.Equal(plan.Steps.Count - 1, CountOccurrences(dom, "<img "));
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
