using System.Text;
using MiniGpt5.Text.PythonCompat;

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
    private readonly ClipBpe _bpe;
    private readonly string[] _decoder;
    private readonly AddedTokenSplitter _splitter;
    private readonly HashSet<int> _specialIds = [];

    private ClipTokenizer(ClipTokenizerDefinition definition)
    {
        var (source, vocabulary, merges) = (definition.Source, definition.Vocabulary, definition.Merges);
        Source = source;
        Cleanup = definition.Cleanup;
        SplitSpecialTokens = definition.SplitSpecialTokens;
        MaxLength = definition.MaxLength;
        _bpe = new ClipBpe(vocabulary, merges, source);
        VocabularySize = vocabulary.Values.Max() + 1;
        _decoder = new string[VocabularySize];
        foreach (var (token, id) in vocabulary)
        {
            _decoder[id] = token;
        }

        BosId = Require(vocabulary, ClipPreTokenizer.StartOfText, source);
        EosId = Require(vocabulary, ClipPreTokenizer.EndOfText, source);
        UnknownId = Require(vocabulary, definition.UnknownToken, source);
        PadId = definition.PadToken is null ? 0 : Require(vocabulary, definition.PadToken, source);
        if (MaxLength < 2)
        {
            throw new TokenizerFormatException(source, $"model_max_length {MaxLength} leaves no room for BOS and EOS.", null);
        }

        var specialTokens = new List<AddedToken>();
        foreach (var (content, stripLeft, stripRight) in definition.SpecialTokens)
        {
            var token = new AddedToken(content, Require(vocabulary, content, source), stripLeft, stripRight, Special: true);
            specialTokens.Add(token);
            _specialIds.Add(token.Id);
        }

        if (definition.PadToken is not null)
        {
            _specialIds.Add(PadId); // openai's padding with 0 is not a token: "!" (id 0) stays text when decoding
        }

        _splitter = new AddedTokenSplitter(specialTokens);
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
        return new ClipTokenizer(ClipTokenizerFiles.Read(path, options ?? new ClipTokenizerOptions()));
    }

    /// <summary>Like <see cref="Load"/>, reading the files asynchronously.</summary>
    public static async Task<ClipTokenizer> LoadAsync(string path, ClipTokenizerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new ClipTokenizer(await ClipTokenizerFiles.ReadAsync(path, options ?? new ClipTokenizerOptions(), cancellationToken).ConfigureAwait(false));
    }

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

        foreach (var (start, end, token) in _splitter.Split(text))
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

    private static int Require(Dictionary<string, int> vocabulary, string token, string source) =>
        vocabulary.TryGetValue(token, out var id) ? id : throw new TokenizerFormatException(source, $"\"{token}\" is not in the vocabulary.", null);
}
