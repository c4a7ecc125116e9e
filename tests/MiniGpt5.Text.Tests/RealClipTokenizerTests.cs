using MiniGpt5.Text.Clip;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// CLIP's real vocabulary (not committed: set MINIGPT5_CLIP_BPE to openai/CLIP's bpe_simple_vocab_16e6.txt.gz).
/// Goldens were written by the Python ports from that file.
/// </summary>
public sealed class RealClipTokenizerTests
{
    private const string Variable = "MINIGPT5_CLIP_BPE";

    [LocalFileFact(Variable)]
    public void Real_vocabulary_matches_openai_simple_tokenizer()
    {
        var golden = TextTestData.Golden<ClipOpenAiGolden>("clip_real_openai.json");
        var tokenizer = ClipTokenizer.Load(LocalFileFactAttribute.PathOf(Variable));
        Assert.Equal(49408, tokenizer.VocabularySize);
        Assert.Equal((49406, 49407), (tokenizer.BosId, tokenizer.EosId));
        foreach (var c in golden.Cases)
        {
            Assert.Equal(c.Ids, tokenizer.Encode(c.Text));
            Assert.Equal(c.InputIds, tokenizer.EncodeForModel(c.Text).InputIds);
        }

        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407], tokenizer.EncodeForModel("a photo of a cat").InputIds[..7]);
    }

    [LocalFileFact(Variable)]
    public void Real_vocabulary_in_sd2_mode_matches_transformers()
    {
        var golden = TextTestData.Golden<ClipOpenAiGolden>("clip_real_hf_sd2.json");
        var tokenizer = ClipTokenizer.Load(LocalFileFactAttribute.PathOf(Variable), new ClipTokenizerOptions
        {
            Cleanup = ClipTextCleanup.HuggingFaceBasic, SplitSpecialTokens = true, PadToken = "!",
        });
        foreach (var c in golden.Cases)
        {
            Assert.Equal(c.InputIds, tokenizer.EncodeForModel(c.Text).InputIds);
        }

        // diffusers issue #4153, as published.
        Assert.Equal([49406, 0, 0, 0, 0, 0, 0, 49407, 0], tokenizer.EncodeForModel("! !! !!!").InputIds[..9]);
    }
}
