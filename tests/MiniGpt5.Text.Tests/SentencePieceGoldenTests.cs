using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// Our SentencePiece processor against SentencePiece 0.1.97 itself (goldens from tools/reference/text_goldens.py):
/// ids, pieces, offsets and decoded text must be identical (exact; there is no tolerance for token ids).
/// </summary>
public sealed class SentencePieceGoldenTests
{
    public static TheoryData<string> TrainedModels => new()
    {
        "spm_bpe_bytefallback", "spm_bpe_nfkc_unk", "spm_bpe_userdefined_suffix", "spm_bpe_nodummy", "spm_bpe_unused",
    };

    [Theory]
    [MemberData(nameof(TrainedModels))]
    public void Trained_model_matches_sentencepiece(string name)
    {
        var golden = TextTestData.Golden<SentencePieceGolden>(name + ".json");
        var processor = new SentencePieceProcessor(SentencePieceModelReader.Read(TextTestData.RepoFile(golden.Model)));
        AssertMatches(processor, golden);
    }

    [Fact]
    public void Llama_vocabulary_model_matches_sentencepiece()
    {
        var golden = TextTestData.Golden<SentencePieceGolden>("llama_vocab_sentencepiece.json");
        var processor = new SentencePieceProcessor(SentencePieceModelReader.Read(TextTestData.RepoFile(golden.Model)));
        AssertMatches(processor, golden);
    }

    [Fact]
    public void Llama_tokenizer_json_matches_sentencepiece_on_the_same_vocabulary()
    {
        var golden = TextTestData.Golden<SentencePieceGolden>("llama_vocab_sentencepiece.json");
        var json = HuggingFaceTokenizerJsonReader.Read(TextTestData.DataFile("llama-tokenizer.json"));
        AssertMatches(new SentencePieceProcessor(json.Model), golden);
    }

    [Fact]
    public void Decoding_arbitrary_ids_matches_sentencepiece()
    {
        var golden = TextTestData.Golden<DecodeGolden>("llama_vocab_decode.json");
        var processor = new SentencePieceProcessor(SentencePieceModelReader.Read(TextTestData.DataFile("llama-tokenizer.rebuilt.model")));
        foreach (var c in golden.Cases)
        {
            Assert.Equal(c.Decoded, processor.Decode(c.Ids));
        }
    }

    internal static void AssertMatches(SentencePieceProcessor processor, SentencePieceGolden golden)
    {
        foreach (var c in golden.Cases.Where(c => !c.Bos))
        {
            var tokens = processor.EncodeWithOffsets(c.Text);
            var because = $"text {Show(c.Text)}";
            Assert.True(c.Ids.SequenceEqual(tokens.Select(t => t.Id)),
                $"{because}: ids [{string.Join(',', tokens.Select(t => t.Id))}] != SentencePiece [{string.Join(',', c.Ids)}]");
            Assert.Equal(c.Pieces, processor.EncodeToPieces(c.Text));
            Assert.True(c.Offsets.Select(o => (o[0], o[1])).SequenceEqual(tokens.Select(t => (t.Start, t.End))),
                $"{because}: offsets {string.Join(' ', tokens.Select(t => $"{t.Start}-{t.End}"))} != SentencePiece {string.Join(' ', c.Offsets.Select(o => $"{o[0]}-{o[1]}"))}");
            Assert.True(c.Decoded == processor.Decode(c.Ids), $"{because}: decoded {Show(processor.Decode(c.Ids))} != {Show(c.Decoded)}");
        }
    }

    internal static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
