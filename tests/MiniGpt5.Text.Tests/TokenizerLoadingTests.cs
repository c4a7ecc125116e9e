using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Tests;

/// <summary>Every way of loading a tokenizer gives the same tokenizer.</summary>
public sealed class TokenizerLoadingTests
{
    private const string Sample = "###Human: a dog<Img><ImageHere></Img> runs! [IMG0][IMG1] ### 中文 😀";

    [Fact]
    public async Task Async_loaders_match_the_synchronous_ones()
    {
        foreach (var file in new[] { "llama-tokenizer.json", "llama-tokenizer.rebuilt.model" })
        {
            var path = TextTestData.DataFile(file);
            var sync = LlamaTokenizer.LoadMiniGpt5(path);
            var async = await LlamaTokenizer.LoadAsync(path, LlamaTokenizerOptions.MiniGpt5);
            Assert.Equal(sync.Encode(Sample), async.Encode(Sample));
        }

        foreach (var path in new[] { TextTestData.DataFile("clip-sd2"), TextTestData.DataFile("clip-openai", "bpe_synthetic_vocab.txt.gz") })
        {
            var sync = ClipTokenizer.Load(path);
            var async = await ClipTokenizer.LoadAsync(path);
            Assert.Equal(sync.EncodeForModel(Sample).InputIds, async.EncodeForModel(Sample).InputIds);
        }
    }

    [Fact]
    public void A_folder_holding_tokenizer_model_loads_like_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("minigpt5-text-").FullName;
        try
        {
            File.Copy(TextTestData.DataFile("llama-tokenizer.rebuilt.model"), Path.Combine(folder, "tokenizer.model"));
            Assert.Equal(
                SentencePieceProcessor.Load(TextTestData.DataFile("llama-tokenizer.json")).Encode(Sample),
                SentencePieceProcessor.Load(folder).Encode(Sample));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_same_vocabulary_through_both_file_kinds_gives_one_model()
    {
        var fromModel = SentencePieceModelReader.Read(TextTestData.DataFile("llama-tokenizer.rebuilt.model"));
        var fromJson = HuggingFaceTokenizerJsonReader.Read(TextTestData.DataFile("llama-tokenizer.json")).Model;
        Assert.Equal(fromModel.Pieces.Select(p => (p.Piece, p.Type)), fromJson.Pieces.Select(p => (p.Piece, p.Type)));
        static (bool, bool, bool, int) Spec(SentencePieceNormalizerSpec s) =>
            (s.AddDummyPrefix, s.RemoveExtraWhitespaces, s.EscapeWhitespaces, s.PrecompiledCharsMap.Length);
        Assert.Equal(Spec(fromModel.NormalizerSpec), Spec(fromJson.NormalizerSpec));
        Assert.Equal((fromModel.TrainerSpec.ByteFallback, fromModel.TrainerSpec.UnkId, fromModel.TrainerSpec.BosId, fromModel.TrainerSpec.EosId),
            (fromJson.TrainerSpec.ByteFallback, fromJson.TrainerSpec.UnkId, fromJson.TrainerSpec.BosId, fromJson.TrainerSpec.EosId));
    }

    [Fact]
    public void OpenAi_decode_keeps_the_exclamation_mark()
    {
        var tokenizer = ClipTokenizer.Load(TextTestData.DataFile("clip-openai", "bpe_synthetic_vocab.txt.gz"));
        Assert.Equal(0, tokenizer.PadId);
        var ids = tokenizer.Encode("wow!?");
        Assert.Contains(0, ids); // "!" as the first byte of "!?" (id 0), not padding
        Assert.Equal("wow !? ", tokenizer.Decode(ids));
    }
}
