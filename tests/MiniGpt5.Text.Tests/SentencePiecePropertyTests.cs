using FsCheck;
using FsCheck.Fluent;
using MiniGpt5.Text.Llama;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Tests;

/// <summary>
/// Properties over generated strings (FsCheck, fixed seed so a failure replays): the fast BPE equals the
/// quadratic reference, the cache changes nothing, and LLaMA's tokenizer is lossless.
/// </summary>
public sealed class SentencePiecePropertyTests
{
    // Pieces of text the generator strings together: ASCII words, runs of spaces, newlines, tabs, CJK, Arabic,
    // emoji (surrogate pairs, ZWJ sequences), combining marks, NUL and other controls, U+FFFD, digits, code.
    private static readonly string[] Fragments =
    [
        "a", "the", " ", "  ", "    ", "\n", "\r\n", "\t", "Hello", "world", "ing", "tion", "###", ".", ",", "!?",
        "0", "42", "2024", "中", "文字", "日本語", "한국", "مرحبا", "שלום", "Привет", "λ", "é", "e\u0301", "\u0301",
        "😀", "👨\u200d👩\u200d👧", "🦙", "\u00a0", "\u3000", "\u200b", "\0", "\u0001", "\u007f", "\ufffd", "ﬁ", "①", "½",
        "{", "}", "()", "=>", "x**2", "def ", "<s>", "[IMG0]", "<ImageHere>", "<0x41>", "𝔘", "\ufeff",
    ];

    private static readonly Config Seeded = Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(20240601UL, 0x9E3779B97F4A7C15UL);

    private static Arbitrary<string> Texts(params string[] extra) =>
        Gen.Elements([.. Fragments, .. extra]).ArrayOf().Select(parts => string.Concat(parts)).ToArbitrary();

    public static TheoryData<string> Models => new()
    {
        "llama-tokenizer.rebuilt.model", "spm_bpe_bytefallback.model", "spm_bpe_nfkc_unk.model",
        "spm_bpe_userdefined_suffix.model", "spm_bpe_nodummy.model", "spm_bpe_unused.model",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Fast_bpe_equals_the_reference_and_the_cache_changes_nothing(string file)
    {
        var model = SentencePieceModelReader.Read(TextTestData.DataFile(file));
        var fast = new SentencePieceProcessor(model);
        var uncached = new SentencePieceProcessor(model, BpeImplementation.Fast, useCache: false);
        var reference = new SentencePieceProcessor(model, BpeImplementation.Reference);
        Check.One(Seeded, Prop.ForAll(Texts("\u2581", "▁▁x"), text =>
        {
            var expected = reference.EncodeWithOffsets(text);
            Assert.Equal(expected, fast.EncodeWithOffsets(text));
            Assert.Equal(expected, fast.EncodeWithOffsets(text)); // second call is served from the cache
            Assert.Equal(expected, uncached.EncodeWithOffsets(text));
        }));
    }

    [Fact]
    public void Llama_round_trip_is_exact_for_text_without_the_space_symbol()
    {
        // Byte fallback makes every character encodable; the identity normalizer keeps everything; the dummy
        // prefix is the only added "▁" and decode drops exactly that one. So decode(encode(s)) == s, except that
        // a literal U+2581 in s comes back as a space (it is SentencePiece's space symbol) and an unpaired
        // surrogate comes back as U+FFFD (SentencePiece works on UTF-8).
        var tokenizer = LlamaTokenizer.Load(TextTestData.DataFile("llama-tokenizer.json"));
        Check.One(Seeded, Prop.ForAll(Texts(), text =>
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)))));
        Check.One(Seeded, Prop.ForAll(Texts("\u2581", "a\u2581b"), text =>
            Assert.Equal(text.Replace('\u2581', ' '), tokenizer.Decode(tokenizer.Encode(text)))));
        Assert.Equal("a\ufffdb", tokenizer.Decode(tokenizer.Encode("a\ud800b")));
    }

    [Fact]
    public void Llama_offsets_tile_the_text()
    {
        // LLaMA keeps every character, so the spans are contiguous: each token starts where the previous one
        // ended (byte pieces before the last one of a character are empty spans at its start).
        var tokenizer = LlamaTokenizer.Load(TextTestData.DataFile("llama-tokenizer.json"));
        Check.One(Seeded, Prop.ForAll(Texts(), text =>
        {
            var position = 0;
            foreach (var token in tokenizer.EncodeWithOffsets(text))
            {
                Assert.Equal(position, token.Start);
                Assert.True(token.End >= token.Start);
                position = token.End;
            }

            Assert.Equal(text.Length, position);
        }));
    }

    [Fact]
    public void MiniGpt5_mode_never_loses_added_tokens()
    {
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(TextTestData.DataFile("llama-tokenizer.json"));
        var vokens = LlamaTokenizerOptions.MiniGpt5Vokens.ToArray();
        Check.One(Seeded, Prop.ForAll(Texts([.. vokens, "<ImageHere>", " [IMG3] "]), text =>
        {
            var ids = tokenizer.Encode(text);
            for (var k = 0; k < vokens.Length; k++)
            {
                Assert.Equal(CountOccurrences(text, vokens[k]), ids.Count(id => id == 32000 + k));
            }

            Assert.Equal(CountOccurrences(text, "<ImageHere>"), ids.Count(id => id == 32008));
        }));
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
