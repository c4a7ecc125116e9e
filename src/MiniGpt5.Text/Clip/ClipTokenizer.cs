using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MiniGpt5.Text.Llama;
using MiniGpt5.Text.PythonCompat;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Clip;

/// <summary>
/// CLIP's byte-level BPE tokenizer as Stable Diffusion uses it: cleanup (<see cref="ClipTextCleanup"/>), the
/// CLIP pre-tokenizer pattern, UTF-8 bytes as bytes_to_unicode characters, BPE with <c>&lt;/w&gt;</c>, then
/// <see cref="EncodeForModel"/> for the text encoder: <c>&lt;|startoftext|&gt;</c> ids <c>&lt;|endoftext|&gt;</c>,
/// truncated to 77 with EOS kept last, padded (SD 2.x: "!" = 0; SD 1.x: <c>&lt;|endoftext|&gt;</c>).
/// Reads a Hugging Face CLIPTokenizer folder or openai's <c>bpe_simple_vocab_16e6.txt.gz</c>. Thread-safe.
/// </summary>
public sealed class ClipTokenizer : ITextTokenizer
{
    private const int MaxOpenAiMerges = 49152 - 256 - 2; // simple_tokenizer.py: merges[1:49152-256-2+1]
    private readonly ClipBpe _bpe;
    private readonly string[] _decoder;
    private readonly PieceMatcher _specialMatcher;
    private readonly Dictionary<string, AddedToken> _specialTokens = new(StringComparer.Ordinal);
    private readonly HashSet<int> _specialIds = [];

    private ClipTokenizer(string source, Dictionary<string, int> vocabulary, List<(string, string)> merges, Settings settings)
    {
        Source = source;
        Cleanup = settings.Cleanup;
        SplitSpecialTokens = settings.SplitSpecialTokens;
        MaxLength = settings.MaxLength;
        _bpe = new ClipBpe(vocabulary, merges, source);
        VocabularySize = vocabulary.Values.Max() + 1;
        _decoder = new string[VocabularySize];
        foreach (var (token, id) in vocabulary)
        {
            _decoder[id] = token;
        }

        BosId = Require(vocabulary, ClipPreTokenizer.StartOfText, source);
        EosId = Require(vocabulary, ClipPreTokenizer.EndOfText, source);
        UnknownId = Require(vocabulary, settings.UnknownToken, source);
        PadId = settings.PadToken is null ? 0 : Require(vocabulary, settings.PadToken, source);
        if (MaxLength < 2)
        {
            throw new TokenizerFormatException(source, $"model_max_length {MaxLength} leaves no room for BOS and EOS.", null);
        }

        foreach (var (content, stripLeft, stripRight) in settings.SpecialTokens)
        {
            var token = new AddedToken(content, Require(vocabulary, content, source), stripLeft, stripRight, Special: true);
            _specialTokens.TryAdd(content, token);
            _specialIds.Add(token.Id);
        }

        if (settings.PadToken is not null)
        {
            _specialIds.Add(PadId); // openai's padding with 0 is not a token: "!" (id 0) stays text when decoding
        }

        _specialMatcher = new PieceMatcher(_specialTokens.Keys);
    }

    /// <summary>The folder or file this tokenizer was read from.</summary>
    public string Source { get; }

    /// <summary>The text cleanup in use.</summary>
    public ClipTextCleanup Cleanup { get; }

    /// <summary>Whether special tokens written in the text are split out first (transformers' behaviour).</summary>
    public bool SplitSpecialTokens { get; }

    /// <summary>Length of <see cref="EncodeForModel"/> output (77).</summary>
    public int MaxLength { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406 in CLIP's vocabulary).</summary>
    public int BosId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407).</summary>
    public int EosId { get; }

    /// <summary>Id written into padding (0 = "!" for SD 2.x and openai's clip.tokenize; 49407 for SD 1.x).</summary>
    public int PadId { get; }

    /// <summary>Id used for tokens missing from the vocabulary (<c>&lt;|endoftext|&gt;</c>).</summary>
    public int UnknownId { get; }

    /// <summary>
    /// Loads a Hugging Face CLIPTokenizer folder (vocab.json, merges.txt, optional tokenizer_config.json and
    /// special_tokens_map.json) or openai's merges file (.txt.gz or .txt), detected by content.
    /// </summary>
    public static ClipTokenizer Load(string path, ClipTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ClipTokenizerOptions();
        var (kind, file) = TokenizerFiles.Resolve(path);
        return kind switch
        {
            TokenizerFileKind.ClipFolder => FromFolder(file, ReadFolder(file), options),
            TokenizerFileKind.ClipMerges => FromOpenAi(file, ReadMergesFile(file), options),
            _ => throw NotClip(path, kind),
        };
    }

    /// <summary>Like <see cref="Load"/>, reading the files asynchronously.</summary>
    public static async Task<ClipTokenizer> LoadAsync(string path, ClipTokenizerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ClipTokenizerOptions();
        var (kind, file) = TokenizerFiles.Resolve(path);
        switch (kind)
        {
            case TokenizerFileKind.ClipFolder:
                return FromFolder(file, await ReadFolderAsync(file, cancellationToken).ConfigureAwait(false), options);
            case TokenizerFileKind.ClipMerges:
                return FromOpenAi(file, await ReadMergesFileAsync(file, cancellationToken).ConfigureAwait(false), options);
            default:
                throw NotClip(path, kind);
        }
    }

    private static TokenizerFormatException NotClip(string path, TokenizerFileKind kind) => new(path,
        $"is not a CLIP tokenizer (found {kind}); expected a folder with vocab.json and merges.txt, or bpe_simple_vocab_16e6.txt.gz.", null);

    /// <inheritdoc />
    /// <remarks>Content ids only: no BOS/EOS, no truncation or padding (transformers' <c>add_special_tokens=False</c>).</remarks>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (!SplitSpecialTokens)
        {
            EncodeChunk(text, ids);
            return [.. ids];
        }

        foreach (var (start, end, token) in SplitOnSpecialTokens(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
            }
            else
            {
                EncodeChunk(text[start..end], ids);
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// The text encoder's input: BOS, the first <c>MaxLength - 2</c> content ids, EOS, then padding to
    /// <see cref="MaxLength"/> (transformers' <c>padding="max_length", truncation=True</c>; the same ids as
    /// openai's <c>clip.tokenize(truncate=True)</c>).
    /// </summary>
    public ClipEncoding EncodeForModel(string text)
    {
        var content = Encode(text);
        var kept = Math.Min(content.Length, MaxLength - 2);
        var ids = new int[MaxLength];
        var mask = new int[MaxLength];
        ids[0] = BosId;
        content.AsSpan(0, kept).CopyTo(ids.AsSpan(1));
        ids[kept + 1] = EosId;
        ids.AsSpan(kept + 2).Fill(PadId);
        mask.AsSpan(0, kept + 2).Fill(1);
        return new ClipEncoding(ids, mask, kept + 2, kept < content.Length);
    }

    /// <inheritdoc />
    /// <remarks>Special tokens (BOS, EOS, pad) are left out; see <see cref="Decode(ReadOnlySpan{int}, bool)"/>.</remarks>
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, skipSpecialTokens: true);

    /// <summary>
    /// Ids back to text: token characters to bytes, UTF-8 (invalid bytes become U+FFFD), <c>&lt;/w&gt;</c> to a
    /// space. In Hugging Face mode the result is stripped and transformers' clean_up_tokenization applied
    /// (" ." to ".", " 's" to "'s", ...); openai's decode does neither.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens) =>
        Decode(ids, skipSpecialTokens, cleanUpTokenizationSpaces: Cleanup == ClipTextCleanup.HuggingFaceBasic);

    /// <summary>
    /// Like <see cref="Decode(ReadOnlySpan{int}, bool)"/>, choosing transformers' clean_up_tokenization explicitly
    /// (Hugging Face mode only; openai's decode never strips or cleans up).
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens, bool cleanUpTokenizationSpaces)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_decoder.Length || _decoder[id] is null)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Invalid id: {id} (vocabulary size {VocabularySize}).");
            }

            if (skipSpecialTokens && (_specialIds.Contains(id) || id == BosId || id == EosId))
            {
                continue;
            }

            foreach (var c in _decoder[id])
            {
                // Token text is bytes_to_unicode characters plus ASCII ("</w>", the special tokens), all of which map back.
                bytes.Add(ByteLevelAlphabet.TryGetByte(c, out var b) ? b : (byte)'?');
            }
        }

        var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes))
            .Replace("</w>", " ", StringComparison.Ordinal);
        if (Cleanup == ClipTextCleanup.OpenAiClip)
        {
            return text;
        }

        text = PythonWhitespace.Strip(text).ToString();
        if (cleanUpTokenizationSpaces)
        {
            foreach (var (from, to) in CleanUpTokenization)
            {
                text = text.Replace(from, to, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The token text of <paramref name="id"/> (e.g. "photo&lt;/w&gt;").</summary>
    public string IdToToken(int id) =>
        (uint)id < (uint)_decoder.Length && _decoder[id] is { } token
            ? token
            : throw new ArgumentOutOfRangeException(nameof(id), id, $"Invalid id: {id} (vocabulary size {VocabularySize}).");

    /// <summary>
    /// <see cref="Encode(string)"/> computed with openai's merge loop (find the lowest-ranked pair, merge every
    /// occurrence, repeat), uncached and without special-token splitting: the reference for tests and benchmarks.
    /// </summary>
    public int[] EncodeWithReferenceBpe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var cleaned = ClipTextCleaner.Clean(text, Cleanup);
        var words = new List<(int Start, int Length)>();
        ClipPreTokenizer.Split(cleaned, words);
        foreach (var (start, length) in words)
        {
            _bpe.EncodeWord(cleaned.AsSpan(start, length), ids, reference: true);
        }

        return [.. ids];
    }

    private static readonly (string From, string To)[] CleanUpTokenization =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];

    private void EncodeChunk(string text, List<int> ids)
    {
        var cleaned = ClipTextCleaner.Clean(text, Cleanup);
        var words = new List<(int Start, int Length)>();
        ClipPreTokenizer.Split(cleaned, words);
        foreach (var (start, length) in words)
        {
            _bpe.EncodeWord(cleaned.AsSpan(start, length), ids);
        }
    }

    /// <summary>transformers 4.31 tokenize(): cut at special tokens (longest match, leftmost first), strip as each asks.</summary>
    private List<(int Start, int End, AddedToken? Token)> SplitOnSpecialTokens(string text)
    {
        var parts = new List<(int Start, int End, AddedToken? Token)>();
        var chunkStart = 0;
        for (var i = 0; i < text.Length;)
        {
            var length = _specialMatcher.LongestMatch(text.AsSpan(i));
            if (length == 0)
            {
                i++;
                continue;
            }

            if (i > chunkStart)
            {
                parts.Add((chunkStart, i, null));
            }

            parts.Add((i, i + length, _specialTokens[text.Substring(i, length)]));
            i += length;
            chunkStart = i;
        }

        if (chunkStart < text.Length)
        {
            parts.Add((chunkStart, text.Length, null));
        }

        for (var p = 0; p < parts.Count; p++)
        {
            if (parts[p].Token is not { } token)
            {
                continue;
            }

            if (token.StripRight && p + 1 < parts.Count && parts[p + 1].Token is null)
            {
                var (start, end, _) = parts[p + 1];
                parts[p + 1] = (end - PythonWhitespace.StripStart(text.AsSpan(start, end - start)).Length, end, null);
            }

            if (token.StripLeft && p > 0 && parts[p - 1].Token is null)
            {
                var (start, end, _) = parts[p - 1];
                parts[p - 1] = (start, start + PythonWhitespace.StripEnd(text.AsSpan(start, end - start)).Length, null);
            }
        }

        parts.RemoveAll(part => part.Token is null && part.End == part.Start);
        return parts;
    }

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

    private static ClipTokenizer FromFolder(string folder, FolderFiles files, ClipTokenizerOptions options)
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
        var settings = new Settings(
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

        return new ClipTokenizer(folder, vocabulary, merges, settings);
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

    private static ClipTokenizer FromOpenAi(string path, string content, ClipTokenizerOptions options)
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

        var settings = new Settings(
            options.Cleanup ?? ClipTextCleanup.OpenAiClip,
            options.SplitSpecialTokens ?? false,
            options.MaxLength ?? 77,
            options.PadToken,
            ClipPreTokenizer.EndOfText,
            splitTokens);
        return new ClipTokenizer(path, vocabulary, merges, settings);
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

    private static int Require(Dictionary<string, int> vocabulary, string token, string source) =>
        vocabulary.TryGetValue(token, out var id) ? id : throw new TokenizerFormatException(source, $"\"{token}\" is not in the vocabulary.", null);

    /// <summary>A special token as the config files give it: its text and, for AddedToken objects, the strip flags.</summary>
    private sealed record SpecialTokenSetting(string Content, bool IsAddedToken, bool StripLeft, bool StripRight);

    /// <summary>Everything resolved from files and options.</summary>
    private sealed record Settings(
        ClipTextCleanup Cleanup,
        bool SplitSpecialTokens,
        int MaxLength,
        string? PadToken,
        string UnknownToken,
        IReadOnlyList<(string Content, bool StripLeft, bool StripRight)> SpecialTokens);
}
