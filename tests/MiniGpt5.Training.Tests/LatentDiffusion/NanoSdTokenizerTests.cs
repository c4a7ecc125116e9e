using MiniGpt5.Testing;
using MiniGpt5.Text.Clip;
using MiniGpt5.Training.LatentDiffusion;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.LatentDiffusion;

/// <summary>The shipped nano CLIP tokenizer: every world word is one token, every text fits, and the builder
/// reproduces the committed files byte for byte.</summary>
public sealed class NanoSdTokenizerTests
{
    private static string Shipped => Path.Combine(RepoPaths.RepoRoot, "models", "nano", "stable-diffusion", "tokenizer");

    [Fact]
    public void Every_world_word_is_a_single_token_that_decodes_back()
    {
        var tokenizer = ClipTokenizer.Load(Shipped);
        var words = NanoClipTokenizerBuilder.WorldWords().Keys.ToList();
        Assert.Contains("rectangles", words);
        Assert.Contains("beginning", words);
        foreach (var word in words)
        {
            var ids = tokenizer.Encode(word);
            Assert.True(ids.Length == 1, $"'{word}' is {ids.Length} tokens.");
            Assert.Equal(word, tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void Every_caption_and_story_step_fits_the_text_length_without_truncation()
    {
        var tokenizer = ClipTokenizer.Load(Shipped);
        Assert.Equal(NanoSdArchitecture.Default.TextLength, tokenizer.MaxLength);
        var texts = NanoDatasetSampler.Captions(3, NanoSplit.Test).Take(500).Select(c => c.Caption)
            .Concat(NanoDatasetSampler.Stories(3, NanoSplit.Val).Take(200).SelectMany(s => s.Story.Steps.Select(step => step.Text)));
        var longest = 0;
        foreach (var text in texts)
        {
            var encoding = tokenizer.EncodeForModel(text);
            Assert.False(encoding.Truncated, text);
            Assert.Equal(tokenizer.MaxLength, encoding.InputIds.Length);
            Assert.Equal(tokenizer.BosId, encoding.InputIds[0]);
            longest = Math.Max(longest, encoding.Length);
        }

        // Words, commas and the full stop are one token each: the longest texts are ~42 tokens with BOS and EOS.
        Assert.InRange(longest, 30, NanoSdArchitecture.Default.TextLength);
    }

    [Fact]
    public async Task The_builder_reproduces_the_shipped_vocabulary_and_merges()
    {
        using var temp = new TempFolder();
        await NanoClipTokenizerBuilder.WriteAsync(temp.Path, NanoSdArchitecture.Default.TextLength);
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Shipped, file)), await File.ReadAllTextAsync(Path.Combine(temp.Path, file)));
        }
    }
}
