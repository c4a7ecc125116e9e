using System.Text.Json;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose model is SentencePiece-style BPE (LLaMA's: vocab + merges,
/// <c>byte_fallback</c>, the <c>Prepend("▁")</c>+<c>Replace(" ", "▁")</c> normalizer or a Metaspace pre-tokenizer)
/// into the equivalent <see cref="SentencePieceModel"/>, so one tokenizer serves both file kinds.
/// <para>
/// The file has no scores, only the merge list, which HF's converter sorted by score. A piece's score becomes
/// minus the rank of the first merge that forms it, so higher-ranked merges win exactly as in the file. This is
/// checked against SentencePiece on the real LLaMA model (tools/reference/text_goldens.py): the ids agree on
/// every string tried, including runs of spaces, where LLaMA's whitespace pieces tie at score -1e9.
/// </para>
/// </summary>
public static class HuggingFaceTokenizerJsonReader
{
    private const string SpaceSymbol = "\u2581";

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    public static HuggingFaceTokenizerJson Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads the file at <paramref name="path"/> asynchronously.</summary>
    public static async Task<HuggingFaceTokenizerJson> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return Read(doc.RootElement, path);
            }
            catch (JsonException e)
            {
                throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message}).", e);
            }
        }
    }

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="source"/> names it in errors.</summary>
    public static HuggingFaceTokenizerJson Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var doc = JsonDocument.Parse(stream);
            return Read(doc.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(source, $"is not valid JSON ({e.Message}).", e);
        }
    }

    private static HuggingFaceTokenizerJson Read(JsonElement root, string source)
    {
        var model = Property(root, "model", source, JsonValueKind.Object);
        var type = OptionalString(model, "type");
        if (type is not null and not "BPE")
        {
            throw new TokenizerFormatException(source, $"model.type is \"{type}\"; only BPE models are supported.", null);
        }

        foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (OptionalString(model, name) is { Length: > 0 } value)
            {
                throw new TokenizerFormatException(source, $"model.{name} is \"{value}\"; a SentencePiece-style BPE has none.", null);
            }
        }

        var byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
        var unkToken = OptionalString(model, "unk_token")
            ?? throw new TokenizerFormatException(source, "model.unk_token is missing; SentencePiece needs an unknown piece.", null);

        // vocab: piece -> id, ids 0..n-1.
        var vocabElement = Property(model, "vocab", source, JsonValueKind.Object);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new TokenizerFormatException(source, $"model.vocab[\"{entry.Name}\"] is not a non-negative integer id.", null);
            }

            vocab[entry.Name] = id;
        }

        var pieces = new string?[vocab.Count];
        foreach (var (piece, id) in vocab)
        {
            if (id >= pieces.Length || pieces[id] is not null)
            {
                throw new TokenizerFormatException(source, $"model.vocab ids must be 0..{pieces.Length - 1}, each once; \"{piece}\" has {id}.", null);
            }

            pieces[id] = piece;
        }

        if (!vocab.TryGetValue(unkToken, out var unkId))
        {
            throw new TokenizerFormatException(source, $"model.unk_token \"{unkToken}\" is not in model.vocab.", null);
        }

        // merges, in rank order: "left right" strings (older files) or [left, right] pairs (newer files).
        var firstRank = new Dictionary<string, int>(StringComparer.Ordinal);
        var merges = Property(model, "merges", source, JsonValueKind.Array);
        var rank = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            var (left, right) = ReadMerge(merge, rank, source);
            var merged = left + right;
            if (!vocab.ContainsKey(left) || !vocab.ContainsKey(right) || !vocab.ContainsKey(merged))
            {
                throw new TokenizerFormatException(source,
                    $"model.merges[{rank}] (\"{left}\", \"{right}\") uses or makes a piece that is not in model.vocab.", null);
            }

            firstRank.TryAdd(merged, rank);
            rank++;
        }

        // added_tokens: special ones inside the vocabulary are control pieces; the rest are added tokens.
        var special = new HashSet<int>();
        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedElement) && addedElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in addedElement.EnumerateArray())
            {
                var id = Property(token, "id", source, JsonValueKind.Number).GetInt32();
                var content = Property(token, "content", source, JsonValueKind.String).GetString()!;
                var isSpecial = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
                if (id < pieces.Length)
                {
                    if (pieces[id] != content)
                    {
                        throw new TokenizerFormatException(source,
                            $"added_tokens entry {id} \"{content}\" differs from model.vocab's piece \"{pieces[id]}\".", null);
                    }

                    if (isSpecial)
                    {
                        special.Add(id);
                    }
                }
                else
                {
                    added.Add(new AddedToken(content, id, Flag(token, "lstrip"), Flag(token, "rstrip"), isSpecial));
                }
            }
        }

        var (addDummyPrefix, prefixOnlyAtStart) = ReadWhitespaceHandling(root, source);
        var entries = new SentencePieceEntry[pieces.Length];
        for (var id = 0; id < pieces.Length; id++)
        {
            var piece = pieces[id]!;
            var kind = id == unkId ? SentencePieceType.Unknown
                : special.Contains(id) ? SentencePieceType.Control
                : byteFallback && SentencePieceModel.ParseBytePiece(piece) >= 0 ? SentencePieceType.Byte
                : SentencePieceType.Normal;
            var score = kind != SentencePieceType.Normal ? 0f
                : firstRank.TryGetValue(piece, out var r) ? -(float)r
                : -(float)(rank + id); // never formed by a merge: only reachable as a single character
            entries[id] = new SentencePieceEntry(piece, score, kind);
        }

        var trainer = SentencePieceTrainerSpec.Default with
        {
            ModelType = SentencePieceModelType.Bpe,
            VocabSize = pieces.Length,
            ByteFallback = byteFallback,
            UnkId = unkId,
            BosId = vocab.TryGetValue("<s>", out var bos) ? bos : -1,
            EosId = vocab.TryGetValue("</s>", out var eos) ? eos : -1,
            PadId = -1,
        };
        var normalizer = SentencePieceNormalizerSpec.LlamaIdentity with { AddDummyPrefix = addDummyPrefix };
        var spModel = new SentencePieceModel(source, entries, trainer, normalizer);
        return new HuggingFaceTokenizerJson(spModel, added.OrderBy(t => t.Id).ToArray(), prefixOnlyAtStart);
    }

    /// <summary>
    /// Maps the normalizer / pre-tokenizer onto SentencePiece's whitespace handling. Accepted: LLaMA's legacy
    /// normalizer Sequence[Prepend("▁"), Replace(" ", "▁")] (either part optional) with no pre-tokenizer, or no
    /// normalizer with a non-splitting Metaspace("▁") pre-tokenizer. Spaces must end up as "▁".
    /// </summary>
    private static (bool AddDummyPrefix, bool OnlyAtStart) ReadWhitespaceHandling(JsonElement root, string source)
    {
        var prepend = false;
        var escape = false;
        var onlyAtStart = false;
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object)
        {
            var steps = OptionalString(normalizer, "type") == "Sequence"
                ? Property(normalizer, "normalizers", source, JsonValueKind.Array).EnumerateArray().ToArray()
                : [normalizer];
            foreach (var step in steps)
            {
                switch (OptionalString(step, "type"))
                {
                    case "Prepend" when OptionalString(step, "prepend") == SpaceSymbol:
                        prepend = true;
                        break;
                    case "Replace" when step.TryGetProperty("pattern", out var pattern)
                                        && pattern.ValueKind == JsonValueKind.Object
                                        && OptionalString(pattern, "String") == " "
                                        && OptionalString(step, "content") == SpaceSymbol:
                        escape = true;
                        break;
                    default:
                        throw new TokenizerFormatException(source,
                            $"normalizer step {step.GetRawText()} is not supported (expected LLaMA's Prepend(\"▁\") and Replace(\" \", \"▁\")).", null);
                }
            }
        }

        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object)
        {
            if (OptionalString(pre, "type") != "Metaspace" || OptionalString(pre, "replacement") != SpaceSymbol)
            {
                throw new TokenizerFormatException(source,
                    $"pre_tokenizer {pre.GetRawText()} is not supported (expected none, or Metaspace with replacement \"▁\").", null);
            }

            if (pre.TryGetProperty("split", out var split) && split.ValueKind == JsonValueKind.True)
            {
                throw new TokenizerFormatException(source,
                    "pre_tokenizer Metaspace has split: true, which splits words before BPE; SentencePiece does not.", null);
            }

            escape = true;
            var scheme = OptionalString(pre, "prepend_scheme")
                ?? (pre.TryGetProperty("add_prefix_space", out var add) && add.ValueKind == JsonValueKind.False ? "never" : "always");
            switch (scheme)
            {
                case "always":
                    prepend = true;
                    break;
                case "first":
                    prepend = true;
                    onlyAtStart = true;
                    break;
                case "never":
                    break;
                default:
                    throw new TokenizerFormatException(source, $"pre_tokenizer prepend_scheme \"{scheme}\" is unknown.", null);
            }
        }

        if (!escape)
        {
            throw new TokenizerFormatException(source,
                "spaces are not replaced by \"▁\" (no Replace normalizer or Metaspace pre-tokenizer); this is not a SentencePiece-style tokenizer.json.", null);
        }

        return (prepend, onlyAtStart);
    }

    private static (string Left, string Right) ReadMerge(JsonElement merge, int rank, string source)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            var text = merge.GetString()!;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && space < text.Length - 1 && text.IndexOf(' ', space + 1) < 0)
            {
                return (text[..space], text[(space + 1)..]);
            }
        }
        else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }

        throw new TokenizerFormatException(source, $"model.merges[{rank}] is {merge.GetRawText()}, expected \"left right\" or [left, right].", null);
    }

    private static JsonElement Property(JsonElement element, string name, string source, JsonValueKind kind)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new TokenizerFormatException(source, $"\"{name}\" is missing or not a JSON {kind.ToString().ToLowerInvariant()}.", null);
        }

        return value;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
