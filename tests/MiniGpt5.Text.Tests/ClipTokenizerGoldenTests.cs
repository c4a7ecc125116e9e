using MiniGpt5.Text.Clip;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// CLIP against the ports of transformers' CLIPTokenizer (no ftfy) and openai's simple_tokenizer in
/// tools/reference/text_goldens.py, on a synthetic vocabulary trained there. Exact ids and text.
/// </summary>
public sealed class ClipTokenizerGoldenTests
{
    [Theory]
    [InlineData("clip_hf_sd2.json")]
    [InlineData("clip_hf_sd1.json")]
    public void Hugging_face_folder_matches_transformers(string goldenName)
    {
        var golden = TextTestData.Golden<ClipHfGolden>(goldenName);
        var tokenizer = ClipTokenizer.Load(TextTestData.RepoFile(golden.Folder));
        foreach (var c in golden.Cases)
        {
            var because = $"text {SentencePieceGoldenTests.Show(c.Text)}";
            var ids = tokenizer.Encode(c.Text);
            Assert.True(c.Ids.SequenceEqual(ids), $"{because}: [{string.Join(',', ids)}] != [{string.Join(',', c.Ids)}]");
            var encoding = tokenizer.EncodeForModel(c.Text);
            Assert.Equal(c.InputIds, encoding.InputIds);
            Assert.Equal(c.AttentionMask, encoding.AttentionMask);
            Assert.Equal(c.Decoded, tokenizer.Decode(c.InputIds, skipSpecialTokens: true));
            Assert.Equal(c.DecodedRaw, tokenizer.Decode(c.InputIds, skipSpecialTokens: false, cleanUpTokenizationSpaces: false));
        }
    }

    [Fact]
    public void OpenAi_merges_file_matches_simple_tokenizer()
    {
        var golden = TextTestData.Golden<ClipOpenAiGolden>("clip_openai.json");
        var tokenizer = ClipTokenizer.Load(TextTestData.RepoFile(golden.Bpe));
        Assert.Equal(ClipTextCleanup.OpenAiClip, tokenizer.Cleanup);
        foreach (var c in golden.Cases)
        {
            var ids = tokenizer.Encode(c.Text);
            Assert.True(c.Ids.SequenceEqual(ids), $"text {SentencePieceGoldenTests.Show(c.Text)}: [{string.Join(',', ids)}] != [{string.Join(',', c.Ids)}]");
            Assert.Equal(c.InputIds, tokenizer.EncodeForModel(c.Text).InputIds);
            Assert.Equal(c.Decoded, tokenizer.Decode(c.Ids, skipSpecialTokens: false));
        }
    }

    [Fact]
    public void Sd2_pad_token_is_the_exclamation_mark_and_swallows_it_in_prompts()
    {
        // diffusers issue #4153: SD-2's tokenizer gives "! !! !!!" -> [49406, 0, 0, 0, 0, 0, 0, 49407, 0, ...].
        var sd2 = ClipTokenizer.Load(TextTestData.DataFile("clip-sd2"));
        Assert.Equal(0, sd2.PadId);
        var encoding = sd2.EncodeForModel("! !! !!!");
        Assert.Equal([sd2.BosId, 0, 0, 0, 0, 0, 0, sd2.EosId, 0], encoding.InputIds[..9]);
        Assert.Equal(8, encoding.Length);

        // open_clip's behaviour, on request: "!" is an ordinary token.
        var openClip = ClipTokenizer.Load(TextTestData.DataFile("clip-sd2"), new ClipTokenizerOptions { SplitSpecialTokens = false });
        Assert.DoesNotContain(0, openClip.Encode("hello!"));
    }

    [Fact]
    public void Sd1_pads_with_end_of_text()
    {
        var sd1 = ClipTokenizer.Load(TextTestData.DataFile("clip-sd1"));
        Assert.Equal(sd1.EosId, sd1.PadId);
        Assert.All(sd1.EncodeForModel("a cat").InputIds[4..], id => Assert.Equal(sd1.EosId, id));
    }

    [Fact]
    public void Long_prompts_keep_end_of_text_last()
    {
        var tokenizer = ClipTokenizer.Load(TextTestData.DataFile("clip-sd2"));
        var encoding = tokenizer.EncodeForModel(string.Join(' ', Enumerable.Repeat("word", 200)));
        Assert.Equal(77, encoding.InputIds.Length);
        Assert.Equal(tokenizer.EosId, encoding.InputIds[76]);
        Assert.True(encoding.Truncated);
        Assert.All(encoding.AttentionMask, m => Assert.Equal(1, m));
    }

    [Fact]
    public void Heap_bpe_equals_openai_loop()
    {
        var tokenizer = ClipTokenizer.Load(TextTestData.DataFile("clip-openai", "bpe_synthetic_vocab.txt.gz"));
        var golden = TextTestData.Golden<ClipOpenAiGolden>("clip_openai.json");
        foreach (var c in golden.Cases)
        {
            Assert.Equal(tokenizer.EncodeWithReferenceBpe(c.Text), tokenizer.Encode(c.Text));
        }
    }
}
