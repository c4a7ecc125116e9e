using System.Globalization;
using System.Text;
using System.Text.Json;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Builds the nano text encoder's CLIP tokenizer: the 256 byte symbols and their end-of-word forms (as every CLIP
/// vocabulary has), then byte-pair merges learned on the nano world's words until every word is one token, then
/// BOS/EOS. Files are those of a Hugging Face CLIPTokenizer folder (vocab.json, merges.txt, tokenizer_config.json,
/// special_tokens_map.json) so our <c>ClipTokenizer</c> and transformers both load them. Padding is "!" as in
/// SD 2.x. Deterministic: the word list and the merge order (most frequent pair, ties broken by ordinal order) depend
/// on nothing else.
/// </summary>
public static class NanoClipTokenizerBuilder
{
    /// <summary>Start of text.</summary>
    public const string StartOfText = "<|startoftext|>";

    /// <summary>End of text.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Pad token (SD 2.x's tokenizer pads with "!").</summary>
    public const string PadToken = "!";

    /// <summary>Words the caption parser accepts that the writer may never emit (spelling variants).</summary>
    // vocab.json keeps the byte symbols (U+0100…) as characters, as the published CLIP files do.
    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] ParserExtras = ["one", "tiny", "light", "upper", "lower", "centre", "corner", "side", "is", "are", "there", "with", "against"];

    /// <summary>
    /// Every word (lower case, letters only) of the world: those of <paramref name="captions"/> caption samples and
    /// <paramref name="stories"/> stories of the train split under seed 0, plus the parser's variants; with counts.
    /// </summary>
    public static IReadOnlyDictionary<string, int> WorldWords(int captions = 4000, int stories = 1000)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void AddText(string text)
        {
            foreach (var word in Words(text))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        foreach (var sample in NanoDatasetSampler.Captions(0, NanoSplit.Train).Take(captions))
        {
            AddText(sample.Caption);
        }

        foreach (var sample in NanoDatasetSampler.Stories(0, NanoSplit.Train).Take(stories))
        {
            foreach (var step in sample.Story.Steps)
            {
                AddText(step.Text);
            }
        }

        foreach (var word in ParserExtras)
        {
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        return counts;
    }

    /// <summary>The letter runs of <paramref name="text"/>, lower-cased (what CLIP's pre-tokenizer makes words of).</summary>
    public static IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var current = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                yield return current.ToString();
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    /// <summary>
    /// Byte-pair merges learned on <paramref name="words"/> (word → frequency), each word spelled as its characters with
    /// "&lt;/w&gt;" on the last, until every word is a single symbol.
    /// </summary>
    public static IReadOnlyList<(string Left, string Right)> LearnMerges(IReadOnlyDictionary<string, int> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var spelled = words.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: Spell(w.Key), Count: w.Value))
            .ToList();
        var merges = new List<(string, string)>();
        while (true)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in spelled)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairs[pair] = pairs.GetValueOrDefault(pair) + count;
                }
            }

            if (pairs.Count == 0)
            {
                return merges;
            }

            var best = pairs.OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key.Item1, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Item2, StringComparer.Ordinal)
                .First().Key;
            merges.Add(best);
            foreach (var (symbols, _) in spelled)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        symbols[i] += symbols[i + 1];
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the tokenizer folder for the nano world with <paramref name="maxLength"/> tokens per text (BOS and EOS
    /// included; the text encoder's max_position_embeddings).
    /// </summary>
    public static async Task WriteAsync(string folder, int maxLength, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        Directory.CreateDirectory(folder);
        var merges = LearnMerges(WorldWords());
        var symbols = ByteSymbols();
        var vocabulary = new List<string>(symbols);
        vocabulary.AddRange(symbols.Select(s => s + "</w>"));
        vocabulary.AddRange(merges.Select(m => m.Left + m.Right));
        vocabulary.Add(StartOfText);
        vocabulary.Add(EndOfText);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in vocabulary)
        {
            if (!ids.TryAdd(token, ids.Count))
            {
                throw new InvalidOperationException($"The nano vocabulary holds '{token}' twice.");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(ids, CompactJson), cancellationToken).ConfigureAwait(false);
        var mergesText = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in merges)
        {
            mergesText.Append(left).Append(' ').Append(right).Append('\n');
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "merges.txt"), mergesText.ToString(), cancellationToken).ConfigureAwait(false);
        var special = new Dictionary<string, object>
        {
            ["bos_token"] = AddedToken(StartOfText),
            ["eos_token"] = AddedToken(EndOfText),
            ["pad_token"] = PadToken,
            ["unk_token"] = AddedToken(EndOfText),
        };
        var config = new Dictionary<string, object>
        {
            ["add_prefix_space"] = false,
            ["bos_token"] = AddedToken(StartOfText),
            ["do_lower_case"] = true,
            ["eos_token"] = AddedToken(EndOfText),
            ["errors"] = "replace",
            ["model_max_length"] = maxLength,
            ["pad_token"] = PadToken,
            ["tokenizer_class"] = "CLIPTokenizer",
            ["unk_token"] = AddedToken(EndOfText),
        };
        await File.WriteAllTextAsync(Path.Combine(folder, "special_tokens_map.json"), JsonSerializer.Serialize(special, IndentedJson), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(config, IndentedJson), cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, object> AddedToken(string content) => new()
    {
        ["content"] = content,
        ["lstrip"] = false,
        ["normalized"] = true,
        ["rstrip"] = false,
        ["single_word"] = false,
    };

    private static List<string> Spell(string word)
    {
        var symbols = word.Select(c => c.ToString()).ToList();
        symbols[^1] += "</w>";
        return symbols;
    }

    /// <summary>GPT-2's bytes_to_unicode in dictionary order: printable bytes map to themselves, the rest to U+0100….</summary>
    private static List<string> ByteSymbols()
    {
        var bytes = new List<int>();
        bytes.AddRange(Enumerable.Range('!', '~' - '!' + 1));
        bytes.AddRange(Enumerable.Range('¡', '¬' - '¡' + 1));
        bytes.AddRange(Enumerable.Range('®', 'ÿ' - '®' + 1));
        var chars = new List<int>(bytes);
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!bytes.Contains(b))
            {
                bytes.Add(b);
                chars.Add(256 + next++);
            }
        }

        return chars.Select(c => char.ConvertFromUtf32(c).ToString(CultureInfo.InvariantCulture)).ToList();
    }
}
