using System.Collections.Concurrent;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Imaging;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama.Generation;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>
/// A model stand-in for orchestration tests: draws a 16×16 image whose colour is a function of the seed and text
/// (so equal inputs give equal bytes), records every call, and can fail chosen steps a number of times first.
/// </summary>
internal sealed class FakeIllustrator : IIllustrator, IIllustratorSource
{
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Text, ulong Seed, IReadOnlyList<string> Context)> Calls { get; } = new();

    /// <summary>Texts containing this answer with no image.</summary>
    public string? NoImageWhenTextContains { get; init; }

    /// <summary>Delay per call, to observe progress.</summary>
    public TimeSpan Delay { get; init; }

    public int CallsFor(string textFragment) => Calls.Count(c => c.Text.Contains(textFragment, StringComparison.Ordinal));

    /// <summary>The next <paramref name="times"/> calls whose text contains <paramref name="textFragment"/> throw.</summary>
    public void FailNext(string textFragment, int times) => _failuresLeft[textFragment] = times;

    public Task<LoadedIllustrator> GetAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new LoadedIllustrator(this, "fake", "0123456789abcdef"));

    public async Task<IllustrationResult> IllustrateAsync(IReadOnlyList<IllustrationStep> contextSteps, string stepText, ulong seed, IllustrationOptions options, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((stepText, seed, contextSteps.Select(s => s.Text).ToList()));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        foreach (var (fragment, left) in _failuresLeft)
        {
            if (left > 0 && stepText.Contains(fragment, StringComparison.Ordinal) && _failuresLeft.TryUpdate(fragment, left - 1, left))
            {
                throw new InvalidOperationException($"injected failure for '{fragment}'");
            }
        }

        var timings = new MiniGpt5Timings { Prefill = TimeSpan.FromMilliseconds(1), ImageGeneration = TimeSpan.FromMilliseconds(2) };
        if (NoImageWhenTextContains is { } marker && stepText.Contains(marker, StringComparison.Ordinal))
        {
            return new IllustrationResult("I cannot draw that.", null, stepText, StopReason.EndOfSequence, timings);
        }

        return new IllustrationResult("Here it is.", Draw(stepText, seed), stepText, StopReason.EndOfSequence, timings);
    }

    public static Image Draw(string text, ulong seed)
    {
        var hash = (uint)(seed * 2654435761UL) ^ StableHash(text);
        var image = new Image(16, 16, PixelFormat.Rgb);
        for (var i = 0; i < image.Pixels.Length; i += 3)
        {
            image.Pixels[i] = (byte)hash;
            image.Pixels[i + 1] = (byte)(hash >> 8);
            image.Pixels[i + 2] = (byte)((hash >> 16) + (i / 3));
        }

        return image;
    }

    private static uint StableHash(string text)
    {
        var h = 2166136261u;
        foreach (var c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return h;
    }
}
