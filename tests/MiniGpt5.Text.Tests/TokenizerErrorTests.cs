using Google.Protobuf;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Tests;

/// <summary>Bad files give a <see cref="TokenizerFormatException"/> that names the file and what is wrong.</summary>
public sealed class TokenizerErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("minigpt5-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Garbage_is_not_a_sentencepiece_model()
    {
        var path = Write("garbage.model", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3]);
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceModelReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unigram_models_are_refused_by_name()
    {
        var path = Write("unigram.model", ModelProto([("<unk>", 0, 2), ("a", -1, 1)], modelType: 1));
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceModelReader.Read(path));
        Assert.Contains("model_type is Unigram", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_fallback_needs_all_256_byte_pieces()
    {
        var path = Write("bytes.model", ModelProto([("<unk>", 0, 2), ("<0x00>", 0, 6), ("a", -1, 1)], byteFallback: true));
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceModelReader.Read(path));
        Assert.Contains("<0x01> is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_pieces_and_missing_unknown_are_named()
    {
        var duplicate = Write("dup.model", ModelProto([("<unk>", 0, 2), ("ab", -1, 1), ("ab", -2, 1)]));
        Assert.Contains("'ab' is already defined", Assert.Throws<TokenizerFormatException>(() => SentencePieceModelReader.Read(duplicate)).Message, StringComparison.Ordinal);
        var noUnk = Write("nounk.model", ModelProto([("a", -1, 1)]));
        Assert.Contains("no unknown piece", Assert.Throws<TokenizerFormatException>(() => SentencePieceModelReader.Read(noUnk)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimal_hand_written_model_encodes()
    {
        var path = Write("tiny.model", ModelProto([("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3), ("\u2581", -5, 1), ("a", -5, 1), ("b", -5, 1), ("ab", -1, 1), ("\u2581ab", -2, 1)]));
        var processor = new SentencePieceProcessor(SentencePieceModelReader.Read(path));
        Assert.Equal([7, 6, 0], processor.Encode("abab?"));
        Assert.Equal(" \u2047 ", processor.Decode([0]));
        Assert.Equal("abab \u2047 ", processor.Decode(processor.Encode("abab?")));
    }

    [Fact]
    public void Tokenizer_json_errors_name_the_field()
    {
        var badMerge = Write("merge.json", """
            {"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "a": 1, "b": 2}, "merges": ["a b"]},
             "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}}
            """);
        Assert.Contains("model.merges[0]", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerJsonReader.Read(badMerge)).Message, StringComparison.Ordinal);

        var nfkc = Write("nfkc.json", """
            {"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "a": 1}, "merges": []},
             "normalizer": {"type": "NFKC"}}
            """);
        Assert.Contains("normalizer step", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerJsonReader.Read(nfkc)).Message, StringComparison.Ordinal);

        var split = Write("split.json", """
            {"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "a": 1}, "merges": []},
             "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true}}
            """);
        Assert.Contains("split: true", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerJsonReader.Read(split)).Message, StringComparison.Ordinal);

        var wordPiece = Write("wp.json", """{"model": {"type": "WordPiece", "vocab": {"a": 0}}}""");
        Assert.Contains("model.type is \"WordPiece\"", Assert.Throws<TokenizerFormatException>(() => HuggingFaceTokenizerJsonReader.Read(wordPiece)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metaspace_tokenizer_json_is_read_like_the_legacy_normalizer()
    {
        var path = Write("meta.json", """
            {"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "\u2581": 1, "a": 2, "\u2581a": 3}, "merges": ["\u2581 a"]},
             "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": false}}
            """);
        var processor = new SentencePieceProcessor(HuggingFaceTokenizerJsonReader.Read(path).Model);
        Assert.Equal([3, 3], processor.Encode("a a"));
    }

    [Fact]
    public void Clip_merges_errors_give_the_line()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "clip")).FullName;
        File.Copy(TextTestData.DataFile("clip-sd2", "vocab.json"), Path.Combine(folder, "vocab.json"));
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\ni n\nthis line has three\n");
        var e = Assert.Throws<TokenizerFormatException>(() => ClipTokenizer.Load(folder));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\nq z\n");
        Assert.Contains("\"qz\" is not in the vocabulary", Assert.Throws<TokenizerFormatException>(() => ClipTokenizer.Load(folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detection_by_content_and_clear_refusals()
    {
        Assert.Equal(TokenizerFileKind.SentencePieceModel, TokenizerFiles.Detect(TextTestData.DataFile("spm_bpe_bytefallback.model")));
        Assert.Equal(TokenizerFileKind.HuggingFaceTokenizerJson, TokenizerFiles.Detect(TextTestData.DataFile("llama-tokenizer.json")));
        Assert.Equal(TokenizerFileKind.ClipFolder, TokenizerFiles.Detect(TextTestData.DataFile("clip-sd2")));
        Assert.Equal(TokenizerFileKind.ClipMerges, TokenizerFiles.Detect(TextTestData.DataFile("clip-sd2", "merges.txt")));
        Assert.Equal(TokenizerFileKind.ClipMerges, TokenizerFiles.Detect(TextTestData.DataFile("clip-openai", "bpe_synthetic_vocab.txt.gz")));
        Assert.Equal(TokenizerFileKind.Unknown, TokenizerFiles.Detect(Write("notes.txt", "just some text")));
        Assert.Throws<FileNotFoundException>(() => TokenizerFiles.Detect(Path.Combine(_dir, "missing.model")));

        var e = Assert.Throws<TokenizerFormatException>(() => LlamaTokenizer.Load(TextTestData.DataFile("clip-sd2")));
        Assert.Contains("ClipFolder", e.Message, StringComparison.Ordinal);
        Assert.Throws<TokenizerFormatException>(() => ClipTokenizer.Load(TextTestData.DataFile("spm_bpe_bytefallback.model")));
    }

    [Fact]
    public void Invalid_ids_are_rejected_when_decoding()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([32009]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
        var clip = ClipTokenizer.Load(TextTestData.DataFile("clip-sd2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => clip.Decode([clip.VocabularySize]));
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A ModelProto written field by field: pieces (piece, score, type), trainer_spec, normalizer_spec.</summary>
    private static byte[] ModelProto((string Piece, float Score, int Type)[] pieces, int modelType = 2, bool byteFallback = false)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (piece, score, type) in pieces)
        {
            using var pieceBuffer = new MemoryStream();
            var pieceOutput = new CodedOutputStream(pieceBuffer);
            pieceOutput.WriteTag(1, WireFormat.WireType.LengthDelimited);
            pieceOutput.WriteString(piece);
            pieceOutput.WriteTag(2, WireFormat.WireType.Fixed32);
            pieceOutput.WriteFloat(score);
            pieceOutput.WriteTag(3, WireFormat.WireType.Varint);
            pieceOutput.WriteEnum(type);
            pieceOutput.Flush();
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(pieceBuffer.ToArray()));
        }

        using var trainer = new MemoryStream();
        var trainerOutput = new CodedOutputStream(trainer);
        trainerOutput.WriteTag(3, WireFormat.WireType.Varint);
        trainerOutput.WriteEnum(modelType);
        trainerOutput.WriteTag(35, WireFormat.WireType.Varint);
        trainerOutput.WriteBool(byteFallback);
        trainerOutput.Flush();
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(trainer.ToArray()));

        using var normalizer = new MemoryStream();
        var normalizerOutput = new CodedOutputStream(normalizer);
        normalizerOutput.WriteTag(4, WireFormat.WireType.Varint);
        normalizerOutput.WriteBool(false);
        normalizerOutput.Flush();
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(normalizer.ToArray()));
        output.Flush();
        return buffer.ToArray();
    }
}
