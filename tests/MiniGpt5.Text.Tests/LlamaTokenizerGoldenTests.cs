using MiniGpt5.Text.Llama;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// MiniGPT-5 mode (transformers 4.31 slow LlamaTokenizer, legacy=True, plus the 9 added tokens) against the
/// port in tools/reference/text_goldens.py, whose per-chunk encoding is SentencePiece itself. Exact ids and text.
/// </summary>
public sealed class LlamaTokenizerGoldenTests
{
    public static TheoryData<string> Files => new() { "llama-tokenizer.rebuilt.model", "llama-tokenizer.json" };

    [Theory]
    [MemberData(nameof(Files))]
    public void MiniGpt5_mode_matches_transformers_4_31(string file)
    {
        var golden = TextTestData.Golden<MiniGpt5Golden>("llama_vocab_minigpt5.json");
        var tokenizer = LlamaTokenizer.Load(TextTestData.DataFile(file), LlamaTokenizerOptions.MiniGpt5);
        Assert.Equal(golden.AddedTokens, tokenizer.AddedTokens.Select(t => t.Content));
        foreach (var c in golden.Cases)
        {
            var ids = tokenizer.Encode(c.Text);
            Assert.True(c.Ids.SequenceEqual(ids),
                $"text {SentencePieceGoldenTests.Show(c.Text)}: [{string.Join(',', ids)}] != 4.31 [{string.Join(',', c.Ids)}]");
            Assert.Equal(c.Decoded, tokenizer.Decode(c.Ids));
            Assert.Equal(c.DecodedSkipSpecial, tokenizer.Decode(c.Ids, skipSpecialTokens: true));
        }
    }

    [Fact]
    public void Added_token_ids_follow_the_vocabulary()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        Assert.Equal(32009, tokenizer.VocabularySize);
        Assert.Equal(32000, tokenizer.GetTokenId("[IMG0]"));
        Assert.Equal(32007, tokenizer.GetTokenId("[IMG7]"));
        Assert.Equal(32008, tokenizer.GetTokenId("<ImageHere>"));
        Assert.Equal((1, 2, 0), (tokenizer.BosId, tokenizer.EosId, tokenizer.UnknownId));
        Assert.Throws<KeyNotFoundException>(() => tokenizer.GetTokenId("[IMG8]"));
    }

    [Fact]
    public void Voken_target_splits_off_the_special_token_and_prefixes_the_rest()
    {
        // MODEL_SPEC §1.2: "[IMG7] ###" -> [IMG7], "▁###"; the whitespace between is stripped, "###" gets its own dummy prefix.
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        var ids = tokenizer.Encode("[IMG7] ###");
        Assert.Equal([32007, tokenizer.GetTokenId("\u2581###")], ids);

        // Plain SentencePiece mode sees the same text as characters.
        var plain = LlamaTokenizer.Load(TextTestData.DataFile("llama-tokenizer.json"));
        Assert.DoesNotContain(32007, plain.Encode("[IMG7] ###"));
    }

    [Fact]
    public void Bos_only_when_asked()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        Assert.NotEqual(1, tokenizer.Encode("Hello world")[0]);
        Assert.Equal(1, tokenizer.Encode("Hello world", addBos: true)[0]);
        Assert.Equal([1], tokenizer.Encode(string.Empty, addBos: true));
    }

    [Fact]
    public void Offsets_point_into_the_original_text_across_chunks()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        const string text = "a red car  [IMG0] ### end";
        var tokens = tokenizer.EncodeWithOffsets(text);
        var img = tokens.Single(t => t.Id == 32000);
        Assert.Equal("[IMG0]", text[img.Start..img.End]);
        Assert.Equal(string.Concat(tokens.Select(t => text[t.Start..t.End])).Replace(" ", string.Empty, StringComparison.Ordinal),
            text.Replace(" ", string.Empty, StringComparison.Ordinal));
    }
}
