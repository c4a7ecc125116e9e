using System.Globalization;
using System.Text.Json.Nodes;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// Builds the nano LLaMA tokenizer: a LLaMA-format <c>tokenizer.json</c> (SentencePiece-style BPE, byte fallback,
/// dummy-prefix "▁") whose pieces are every whitespace-delimited word of a closed corpus, so each word of the nano
/// world is one token. Layout: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> (0, 1, 2 as in LLaMA), the 256
/// byte pieces, every character of the corpus, then for each word w the chain "▁w₁", "▁w₁w₂", …, "▁w". The merges are
/// exactly those chains (prefix + next character), so SentencePiece's highest-score-first BPE grows each word from its
/// "▁" to the whole word and nothing else (no piece without "▁" is longer than one character, so no merge can cross
/// into another word). Text outside the corpus falls back to the longest known prefix, single characters and bytes,
/// so every string round-trips. MiniGPT-5's <c>[IMG0]</c>..<c>[IMG7]</c> and <c>&lt;ImageHere&gt;</c> are declared as
/// added special tokens after the vocabulary, as the release adds them to Vicuna's.
/// </summary>
public static class NanoTokenizerBuilder
{
    private const char Space = '\u2581';

    /// <summary>Builds the tokenizer.json document for <paramref name="corpus"/>; the same corpus gives the same file.</summary>
    public static JsonObject Build(IEnumerable<string> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var words = new SortedSet<string>(StringComparer.Ordinal);
        var characters = new SortedSet<char>();
        foreach (var text in corpus)
        {
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                words.Add(word);
                foreach (var c in word)
                {
                    if (char.IsSurrogate(c))
                    {
                        throw new ArgumentException($"The nano corpus must be BMP text; '{word}' has a surrogate pair.", nameof(corpus));
                    }

                    characters.Add(c);
                }
            }
        }

        if (words.Count == 0)
        {
            throw new ArgumentException("The corpus has no words.", nameof(corpus));
        }

        var vocab = new List<string> { "<unk>", "<s>", "</s>" };
        for (var b = 0; b < 256; b++)
        {
            vocab.Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
        }

        var single = new HashSet<string>(StringComparer.Ordinal) { Space.ToString() };
        vocab.Add(Space.ToString());
        foreach (var c in characters)
        {
            if (single.Add(c.ToString()))
            {
                vocab.Add(c.ToString());
            }
        }

        // Chains, shortest prefixes first so each merge's parts precede it (ranks follow vocabulary order).
        var chainPieces = new SortedSet<string>(Comparer<string>.Create((a, b) =>
            a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b)));
        foreach (var word in words)
        {
            for (var k = 1; k <= word.Length; k++)
            {
                chainPieces.Add(Space + word[..k]);
            }
        }

        var merges = new JsonArray();
        foreach (var piece in chainPieces)
        {
            vocab.Add(piece);
            merges.Add(new JsonArray(piece[..^1], piece[^1].ToString()));
        }

        var vocabJson = new JsonObject();
        for (var id = 0; id < vocab.Count; id++)
        {
            vocabJson[vocab[id]] = id;
        }

        var added = new JsonArray();
        for (var id = 0; id < 3; id++)
        {
            added.Add(AddedToken(id, vocab[id]));
        }

        var next = vocab.Count;
        foreach (var token in LlamaTokenizerOptions.MiniGpt5.AdditionalSpecialTokens)
        {
            added.Add(AddedToken(next++, token));
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = Space.ToString() },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = Space.ToString() }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = null,
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = Space.ToString() }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocabJson,
                ["merges"] = merges,
            },
        };
    }

    /// <summary>The number of base pieces (without the added tokens) of a document from <see cref="Build"/>.</summary>
    public static int BaseVocabularySize(JsonObject tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer["model"]!["vocab"]!.AsObject().Count;
    }

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = true,
    };
}
