using MiniGpt5.Text.Llama;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// The real LLaMA/Vicuna tokenizer.model (not committed: set MINIGPT5_LLAMA_TOKENIZER_MODEL; e.g. Vicuna's
/// tokenizer.model, or llama2.c's copy of LLaMA's). Goldens were written by SentencePiece from that model.
/// </summary>
public sealed class RealLlamaTokenizerTests
{
    private const string Variable = "MINIGPT5_LLAMA_TOKENIZER_MODEL";

    [LocalFileFact(Variable)]
    public void Real_llama_matches_sentencepiece()
    {
        var golden = TextTestData.Golden<SentencePieceGolden>("llama_real_sentencepiece.json");
        var processor = new SentencePieceProcessor(SentencePieceModelReader.Read(LocalFileFactAttribute.PathOf(Variable)));
        SentencePieceGoldenTests.AssertMatches(processor, golden);
    }

    [LocalFileFact(Variable)]
    public void Real_llama_published_ids()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(LocalFileFactAttribute.PathOf(Variable));
        Assert.Equal([15043, 3186], tokenizer.Encode("Hello world"));
        Assert.Equal([835], tokenizer.Encode("###"));
        Assert.Equal([29871, 13], tokenizer.Encode("\n"));
        Assert.Equal([32007, 835], tokenizer.Encode("[IMG7] ###"));
        Assert.Equal(32009, tokenizer.VocabularySize);
    }

    [LocalFileFact(Variable)]
    public void Real_llama_minigpt5_mode_matches_transformers_4_31()
    {
        var golden = TextTestData.Golden<MiniGpt5Golden>("llama_real_minigpt5.json");
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(LocalFileFactAttribute.PathOf(Variable));
        foreach (var c in golden.Cases)
        {
            Assert.Equal(c.Ids, tokenizer.Encode(c.Text));
            Assert.Equal(c.Decoded, tokenizer.Decode(c.Ids));
        }
    }
}
