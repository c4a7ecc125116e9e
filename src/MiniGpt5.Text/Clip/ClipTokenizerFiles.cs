using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MiniGpt5.Text.Clip;

/// <summary>
/// Reads what a <see cref="ClipTokenizer"/> needs from a Hugging Face CLIPTokenizer folder (vocab.json, merges.txt,
/// tokenizer_config.json, special_tokens_map.json) or from openai's merges file (bpe_simple_vocab_16e6.txt.gz),
/// applying <see cref="ClipTokenizerOptions"/> over what the files say.
/// </summary>
internal static class ClipTokenizerFiles
{
    private const int MaxOpenAiMerges = 49152 - 256 - 2; // simple_tokenizer.py: merges[1:49152-256-2+1]

    public static ClipTokenizerDefinition Read(string path, ClipTokenizerOptions options)
    {
        var (kind, file) = TokenizerFiles.Resolve(path);
        return kind switch
        {
            TokenizerFileKind.ClipFolder => FromFolder(file, ReadFolder(file), options),
            TokenizerFileKind.ClipMerges => FromOpenAi(file, ReadMergesFile(file), options),
            _ => throw NotClip(path, kind),
        };
    }

    public static async Task<ClipTokenizerDefinition> ReadAsync(string path, ClipTokenizerOptions options, CancellationToken cancellationToken)
    {
        var (kind, file) = TokenizerFiles.Resolve(path);
        return kind switch
        {
            TokenizerFileKind.ClipFolder => FromFolder(file, await ReadFolderAsync(file, cancellationToken).ConfigureAwait(false), options),
            TokenizerFileKind.ClipMerges => FromOpenAi(file, await ReadMergesFileAsync(file, cancellationToken).ConfigureAwait(false), options),
            _ => throw NotClip(path, kind),
        };
    }

    private static TokenizerFormatException NotClip(string path, TokenizerFileKind kind) => new(path,
        $"is not a CLIP tokenizer (found {kind}); expected a folder with vocab.json and merges.txt, or bpe_simple_vocab_16e6.txt.gz.", null);

    /// <summary>The text of a CLIPTokenizer folder's files (null for an absent optional file).</summary>
    private sealed record FolderFiles(string Vocab, string Merges, string? TokenizerConfig, string? SpecialTokensMap);

    private static readonly string[] FolderFileNames = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"];

    private static FolderFiles ReadFolder(string folder)
    {
        var texts = FolderFileNames.Select(name => Path.Combine(folder, name)).Select(p => File.Exists(p) ? File.ReadAllText(p, Encoding.UTF8) : null).ToArray();
        return ToFolderFiles(folder, texts);
    }

    private static async Task<FolderFiles> ReadFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var texts = new string?[FolderFileNames.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            var path = Path.Combine(folder, FolderFileNames[i]);
            texts[i] = File.Exists(path) ? await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false) : null;
        }

        return ToFolderFiles(folder, texts);
    }

    private static FolderFiles ToFolderFiles(string folder, string?[] texts) =>
        texts[0] is { } vocab && texts[1] is { } merges
            ? new FolderFiles(vocab, merges, texts[2], texts[3])
            : throw new TokenizerFormatException(folder, "needs both vocab.json and merges.txt.", null);

    private static ClipTokenizerDefinition FromFolder(string folder, FolderFiles files, ClipTokenizerOptions options)
    {
        var vocabPath = Path.Combine(folder, "vocab.json");
        var mergesPath = Path.Combine(folder, "merges.txt");
        Dictionary<string, int> vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(files.Vocab)
                ?? throw new TokenizerFormatException(vocabPath, "is empty.", null);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(vocabPath, $"is not a JSON object of token -> id ({e.Message}).", e);
        }

        // transformers: merges_handle.read().strip().split("\n")[1 : 49152 - 256 - 2 + 1]
        var lines = files.Merges.Trim().Split('\n');
        var merges = ParseMerges(lines, mergesPath);

        // tokenizer_config.json first, special_tokens_map.json over it (as from_pretrained sets them).
        var specials = new Dictionary<string, SpecialTokenSetting>(StringComparer.Ordinal);
        var maxLength = 77;
        foreach (var (name, text) in new[] { ("tokenizer_config.json", files.TokenizerConfig), ("special_tokens_map.json", files.SpecialTokensMap) })
        {
            if (text is null)
            {
                continue;
            }

            var path = Path.Combine(folder, name);
            using var doc = ParseJson(path, text);
            foreach (var key in new[] { "bos_token", "eos_token", "unk_token", "pad_token" })
            {
                if (doc.RootElement.TryGetProperty(key, out var value) && ReadSpecial(value, path, key) is { } setting)
                {
                    specials[key] = setting;
                }
            }

            if (doc.RootElement.TryGetProperty("model_max_length", out var max) && max.TryGetInt32(out var m) && m is > 1 and < 100_000)
            {
                maxLength = m;
            }
        }

        var bos = specials.GetValueOrDefault("bos_token", new SpecialTokenSetting(ClipPreTokenizer.StartOfText, true, false, false));
        var eos = specials.GetValueOrDefault("eos_token", new SpecialTokenSetting(ClipPreTokenizer.EndOfText, true, false, false));
        var unk = specials.GetValueOrDefault("unk_token", new SpecialTokenSetting(ClipPreTokenizer.EndOfText, true, false, false));
        var pad = specials.GetValueOrDefault("pad_token", new SpecialTokenSetting(ClipPreTokenizer.EndOfText, false, false, false));
        if (options.PadToken is not null)
        {
            pad = new SpecialTokenSetting(options.PadToken, false, false, false);
        }

        // CLIPTokenizer wraps bos/eos/unk given as strings in AddedToken(lstrip=False, rstrip=False); the pad token
        // keeps its form. In tokenize(), a token with an AddedToken form under any name keeps its flags; a token
        // known only as a plain string strips the whitespace on both sides.
        var all = new[] { bos with { IsAddedToken = true }, eos with { IsAddedToken = true }, unk with { IsAddedToken = true }, pad };
        var tokens = all.GroupBy(t => t.Content, StringComparer.Ordinal).Select(g =>
            g.FirstOrDefault(t => t.IsAddedToken) is { } added
                ? (g.Key, added.StripLeft, added.StripRight)
                : (g.Key, true, true)).ToList();
        var definition = new ClipTokenizerDefinition(
            folder,
            vocabulary,
            merges,
            options.Cleanup ?? ClipTextCleanup.HuggingFaceBasic,
            options.SplitSpecialTokens ?? true,
            options.MaxLength ?? maxLength,
            pad.Content,
            unk.Content,
            tokens);
        if (bos.Content != ClipPreTokenizer.StartOfText || eos.Content != ClipPreTokenizer.EndOfText)
        {
            throw new TokenizerFormatException(folder,
                $"bos/eos are \"{bos.Content}\"/\"{eos.Content}\"; CLIP's are {ClipPreTokenizer.StartOfText}/{ClipPreTokenizer.EndOfText}.", null);
        }

        return definition;
    }

    private static string ReadMergesFile(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = MergesReader(file);
        try
        {
            return reader.ReadToEnd();
        }
        catch (InvalidDataException e)
        {
            throw new TokenizerFormatException(path, $"is not a readable gzip file ({e.Message}).", e);
        }
    }

    private static async Task<string> ReadMergesFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            using var reader = MergesReader(file);
            try
            {
                return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new TokenizerFormatException(path, $"is not a readable gzip file ({e.Message}).", e);
            }
        }
    }

    /// <summary>A reader over the file's text, gunzipping when it starts with the gzip magic.</summary>
    private static StreamReader MergesReader(FileStream file)
    {
        var head = new byte[2];
        var gzip = file.Read(head, 0, 2) == 2 && head[0] == 0x1F && head[1] == 0x8B;
        file.Position = 0;
        Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
    }

    private static ClipTokenizerDefinition FromOpenAi(string path, string content, ClipTokenizerOptions options)
    {
        // simple_tokenizer.py: read().decode("utf-8").split('\n')[1:49152-256-2+1]; vocab = 256 byte characters,
        // the same with </w>, one entry per merge, then <|startoftext|> and <|endoftext|>.
        var merges = ParseMerges(content.Split('\n'), path);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string token)
        {
            if (!vocabulary.TryAdd(token, vocabulary.Count))
            {
                throw new TokenizerFormatException(path, $"the merge result \"{token}\" appears twice; openai's vocabulary needs it once.", null);
            }
        }

        foreach (var c in ByteLevelAlphabet.InVocabularyOrder)
        {
            Add(c.ToString());
        }

        foreach (var c in ByteLevelAlphabet.InVocabularyOrder)
        {
            Add(c + "</w>");
        }

        foreach (var (left, right) in merges)
        {
            Add(left + right);
        }

        Add(ClipPreTokenizer.StartOfText);
        Add(ClipPreTokenizer.EndOfText);
        var splitTokens = new List<(string, bool, bool)>
        {
            (ClipPreTokenizer.StartOfText, false, false), (ClipPreTokenizer.EndOfText, false, false),
        };
        if (options.PadToken is { } padToken && !splitTokens.Any(t => t.Item1 == padToken))
        {
            splitTokens.Add((padToken, true, true));
        }

        var definition = new ClipTokenizerDefinition(
            path,
            vocabulary,
            merges,
            options.Cleanup ?? ClipTextCleanup.OpenAiClip,
            options.SplitSpecialTokens ?? false,
            options.MaxLength ?? 77,
            options.PadToken,
            ClipPreTokenizer.EndOfText,
            splitTokens);
        return definition;
    }

    private static List<(string, string)> ParseMerges(string[] lines, string path)
    {
        // The first line is a header both loaders skip: "#version: 0.2" (merges.txt) or
        // "\"bpe_simple_vocab_16e6.txt#version: 0.2" (openai's file).
        if (lines.Length == 0 || !lines[0].Contains("#version", StringComparison.Ordinal))
        {
            throw new TokenizerFormatException(path, "the first line has no \"#version\" header; this is not a CLIP merges file.", null);
        }

        var merges = new List<(string, string)>();
        for (var i = 1; i < lines.Length && merges.Count < MaxOpenAiMerges; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 && i == lines.Length - 1)
            {
                break; // trailing newline
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new TokenizerFormatException(path, $"line {i + 1} \"{line}\" is not two space-separated symbols.", null);
            }

            merges.Add((parts[0], parts[1]));
        }

        return merges;
    }

    private static JsonDocument ParseJson(string path, string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message}).", e);
        }
    }

    private static SpecialTokenSetting? ReadSpecial(JsonElement value, string path, string key) => value.ValueKind switch
    {
        JsonValueKind.String => new SpecialTokenSetting(value.GetString()!, false, false, false),
        JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String =>
            new SpecialTokenSetting(content.GetString()!, true,
                value.TryGetProperty("lstrip", out var l) && l.ValueKind == JsonValueKind.True,
                value.TryGetProperty("rstrip", out var r) && r.ValueKind == JsonValueKind.True),
        JsonValueKind.Null => null,
        _ => throw new TokenizerFormatException(path, $"\"{key}\" is neither a string nor an AddedToken object.", null),
    };

    /// <summary>A special token as the config files give it: its text and, for AddedToken objects, the strip flags.</summary>
    private sealed record SpecialTokenSetting(string Content, bool IsAddedToken, bool StripLeft, bool StripRight);
}
