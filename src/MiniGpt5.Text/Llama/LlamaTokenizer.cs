using System.Text;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Llama;

/// <summary>
/// The LLaMA / Vicuna tokenizer: a SentencePiece BPE model (from <c>tokenizer.model</c> or a LLaMA-style
/// <c>tokenizer.json</c>, same behaviour) plus added tokens, in plain SentencePiece mode or in the
/// transformers 4.31 legacy mode MiniGPT-5 needs (<see cref="AddedTokenHandling"/>). No BOS unless asked.
/// Thread-safe.
/// </summary>
public sealed class LlamaTokenizer : ITextTokenizer
{
    private readonly Dictionary<string, AddedToken> _addedByContent = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AddedToken> _addedById = [];
    private readonly Dictionary<string, AddedToken> _inVocabulary = new(StringComparer.Ordinal);
    private readonly HashSet<int> _specialIds = [];
    private readonly AddedTokenSplitter _splitter;

    /// <summary>
    /// Builds the tokenizer. <paramref name="fileAddedTokens"/> are tokens past the vocabulary that the file
    /// already declares (tokenizer.json's <c>added_tokens</c>); <paramref name="options"/> may add more.
    /// </summary>
    public LlamaTokenizer(SentencePieceModel model, IReadOnlyList<AddedToken> fileAddedTokens, LlamaTokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fileAddedTokens);
        ArgumentNullException.ThrowIfNull(options);
        Processor = new SentencePieceProcessor(model);
        Options = options;
        UnknownId = model.UnknownId;
        BosId = ValidSpecial(model.TrainerSpec.BosId);
        EosId = ValidSpecial(model.TrainerSpec.EosId);
        foreach (var id in new[] { UnknownId, BosId, EosId })
        {
            if (id >= 0)
            {
                _specialIds.Add(id);
            }
        }

        var nextId = Processor.VocabularySize;
        foreach (var token in fileAddedTokens)
        {
            Add(token, model.Source);
            nextId = Math.Max(nextId, token.Id + 1);
        }

        foreach (var content in options.AdditionalSpecialTokens)
        {
            if (string.IsNullOrEmpty(content))
            {
                throw new ArgumentException("Additional special tokens must not be empty.", nameof(options));
            }

            // transformers: a token already in the vocabulary keeps its id; added as a plain string, it strips
            // the whitespace around it.
            int id;
            if (_addedByContent.TryGetValue(content, out var existing) || _inVocabulary.TryGetValue(content, out existing))
            {
                id = existing.Id;
            }
            else if (Processor.PieceToId(content) is var pieceId && (pieceId != UnknownId || Processor.IdToPiece(UnknownId) == content))
            {
                id = pieceId;
            }
            else
            {
                id = nextId++;
            }

            Add(new AddedToken(content, id, StripLeft: true, StripRight: true, Special: true), model.Source);
        }

        // What 4.31 never splits: the added tokens, and bos/eos/unk (AddedToken(lstrip=False, rstrip=False)).
        _splitter = new AddedTokenSplitter(_addedByContent.Values.Concat(_inVocabulary.Values).Concat(
            new[] { UnknownId, BosId, EosId }.Where(id => id >= 0).Select(id => new AddedToken(Processor.IdToPiece(id), id, false, false, true))));
        AddedTokens = [.. _addedById.Values.OrderBy(t => t.Id)];
        VocabularySize = Math.Max(Processor.VocabularySize, AddedTokens.Count == 0 ? 0 : AddedTokens[^1].Id + 1);

        int ValidSpecial(int id) => id >= 0 && id < Processor.VocabularySize ? id : -1;
    }

    /// <summary>The SentencePiece model underneath.</summary>
    public SentencePieceProcessor Processor { get; }

    /// <summary>The settings this tokenizer was built with.</summary>
    public LlamaTokenizerOptions Options { get; }

    /// <summary>Tokens added on top of the SentencePiece vocabulary, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <summary>Id of <c>&lt;s&gt;</c> (1 for LLaMA), or -1.</summary>
    public int BosId { get; }

    /// <summary>Id of <c>&lt;/s&gt;</c> (2 for LLaMA), or -1.</summary>
    public int EosId { get; }

    /// <summary>Id of <c>&lt;unk&gt;</c> (0 for LLaMA).</summary>
    public int UnknownId { get; }

    /// <summary>Loads a <c>tokenizer.model</c> or LLaMA-style <c>tokenizer.json</c> (detected by content).</summary>
    public static LlamaTokenizer Load(string path, LlamaTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LlamaTokenizerOptions();
        var (kind, file) = TokenizerFiles.Resolve(path);
        return kind switch
        {
            TokenizerFileKind.SentencePieceModel => new LlamaTokenizer(SentencePieceModelReader.Read(file), [], options),
            TokenizerFileKind.HuggingFaceTokenizerJson => FromJson(HuggingFaceTokenizerJsonReader.Read(file), options),
            _ => throw new TokenizerFormatException(path,
                $"is not a LLaMA tokenizer (found {kind}); expected a SentencePiece tokenizer.model or a LLaMA-style tokenizer.json.", null),
        };
    }

    /// <summary>Like <see cref="Load"/>, reading the file asynchronously.</summary>
    public static async Task<LlamaTokenizer> LoadAsync(string path, LlamaTokenizerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LlamaTokenizerOptions();
        var (kind, file) = TokenizerFiles.Resolve(path);
        return kind switch
        {
            TokenizerFileKind.SentencePieceModel =>
                new LlamaTokenizer(await SentencePieceModelReader.ReadAsync(file, cancellationToken).ConfigureAwait(false), [], options),
            TokenizerFileKind.HuggingFaceTokenizerJson =>
                FromJson(await HuggingFaceTokenizerJsonReader.ReadAsync(file, cancellationToken).ConfigureAwait(false), options),
            _ => throw new TokenizerFormatException(path,
                $"is not a LLaMA tokenizer (found {kind}); expected a SentencePiece tokenizer.model or a LLaMA-style tokenizer.json.", null),
        };
    }

    /// <summary>Loads MiniGPT-5's tokenizer (<see cref="LlamaTokenizerOptions.MiniGpt5"/>).</summary>
    public static LlamaTokenizer LoadMiniGpt5(string path) => Load(path, LlamaTokenizerOptions.MiniGpt5);

    private static LlamaTokenizer FromJson(HuggingFaceTokenizerJson json, LlamaTokenizerOptions options) =>
        new(json.Model, json.AddedTokens, options);

    /// <summary>The id of an added token or vocabulary piece, or false.</summary>
    public bool TryGetTokenId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out var added))
        {
            id = added.Id;
            return true;
        }

        id = Processor.PieceToId(token);
        return id != UnknownId || Processor.IdToPiece(UnknownId) == token;
    }

    /// <summary>The id of an added token or vocabulary piece; throws when there is none (no silent &lt;unk&gt;).</summary>
    public int GetTokenId(string token) =>
        TryGetTokenId(token, out var id) ? id : throw new KeyNotFoundException($"'{token}' is neither a piece nor an added token of this tokenizer.");

    /// <summary>The piece or added-token text of <paramref name="id"/>.</summary>
    public string IdToToken(int id) =>
        _addedById.TryGetValue(id, out var added) ? added.Content
        : id >= 0 && id < Processor.VocabularySize ? Processor.IdToPiece(id)
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Invalid id: {id} (vocabulary size {VocabularySize}).");

    /// <inheritdoc />
    public int[] Encode(string text) => Encode(text, addBos: false);

    /// <summary>Encodes <paramref name="text"/>, with <c>&lt;s&gt;</c> first when <paramref name="addBos"/>.</summary>
    public int[] Encode(string text, bool addBos)
    {
        var tokens = EncodeWithOffsets(text, addBos);
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = tokens[i].Id;
        }

        return ids;
    }

    /// <summary>Encodes and reports, for every id, the span of <paramref name="text"/> it stands for.</summary>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addBos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<EncodedToken>(text.Length / 3 + 4);
        if (addBos)
        {
            if (BosId < 0)
            {
                throw new InvalidOperationException($"{Processor.Model.Source} has no BOS piece.");
            }

            output.Add(new EncodedToken(BosId, 0, 0));
        }

        if (Options.Handling == AddedTokenHandling.SentencePiece)
        {
            Processor.EncodeInto(text, 0, output);
            return output;
        }

        foreach (var (start, end, token) in _splitter.Split(text))
        {
            if (token is not null)
            {
                output.Add(new EncodedToken(token.Id, start, end));
            }
            else
            {
                Processor.EncodeInto(text.AsSpan(start, end - start), start, output);
            }
        }

        return output;
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids) => Decode(ids, skipSpecialTokens: false);

    /// <summary>
    /// Decodes <paramref name="ids"/>. With <paramref name="skipSpecialTokens"/>, bos/eos/unk and special added
    /// tokens are left out. In <see cref="AddedTokenHandling.Transformers431Legacy"/> mode this is transformers
    /// 4.31's <c>decode</c> (MiniGPT-5 calls it with <c>skip_special_tokens=False</c>); otherwise SentencePiece's
    /// decode with added tokens written verbatim.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var kept = new List<int>(ids.Length);
        foreach (var id in ids)
        {
            if (!_addedById.ContainsKey(id) && (id < 0 || id >= Processor.VocabularySize))
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Invalid id: {id} (vocabulary size {VocabularySize}).");
            }

            if (skipSpecialTokens && (_specialIds.Contains(id) || (_addedById.TryGetValue(id, out var t) && t.Special)))
            {
                continue;
            }

            kept.Add(id);
        }

        return Options.Handling == AddedTokenHandling.Transformers431Legacy ? DecodeTransformers431(kept) : DecodeSentencePiece(kept);
    }

    private string DecodeSentencePiece(List<int> ids)
    {
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var token))
            {
                text.Append(Processor.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(run)));
                run.Clear();
                text.Append(token.Content);
            }
            else
            {
                run.Add(id);
            }
        }

        return text.Append(Processor.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(run))).ToString();
    }

    /// <summary>PreTrainedTokenizer._decode + LlamaTokenizer.convert_tokens_to_string, transformers 4.31.</summary>
    private string DecodeTransformers431(List<int> ids)
    {
        var subTexts = new List<string>();
        var current = new List<int>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var token))
            {
                if (current.Count > 0)
                {
                    subTexts.Add(ConvertTokensToString(current));
                    current.Clear();
                }

                subTexts.Add(token.Content);
            }
            else
            {
                current.Add(id);
            }
        }

        if (current.Count > 0)
        {
            subTexts.Add(ConvertTokensToString(current));
        }

        return string.Join(Options.SpacesBetweenSpecialTokens ? " " : string.Empty, subTexts);
    }

    /// <summary>4.31's LlamaTokenizer.convert_tokens_to_string: special pieces are written as text, with a space before a run of them.</summary>
    private string ConvertTokensToString(List<int> ids)
    {
        var output = new StringBuilder();
        var current = new List<int>();
        var previousIsSpecial = false;
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (_specialIds.Contains(id))
            {
                if (!previousIsSpecial && i != 0)
                {
                    output.Append(' ');
                }

                output.Append(Processor.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(current))).Append(Processor.IdToPiece(id));
                previousIsSpecial = true;
                current.Clear();
            }
            else
            {
                current.Add(id);
                previousIsSpecial = false;
            }
        }

        return output.Append(Processor.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(current))).ToString();
    }

    /// <summary>
    /// Registers a token. One past the SentencePiece vocabulary is an added token proper (4.31's
    /// added_tokens_encoder); one that is already a piece is only kept whole when splitting and counted special.
    /// </summary>
    private void Add(AddedToken token, string source)
    {
        if (token.Id < 0)
        {
            throw new TokenizerFormatException(source, $"added token '{token.Content}' has a negative id {token.Id}.", null);
        }

        if (token.Id < Processor.VocabularySize)
        {
            if (Processor.IdToPiece(token.Id) != token.Content)
            {
                throw new TokenizerFormatException(source,
                    $"added token '{token.Content}' has id {token.Id}, which is the piece '{Processor.IdToPiece(token.Id)}'.", null);
            }

            _inVocabulary[token.Content] = token;
        }
        else
        {
            if (_addedById.TryGetValue(token.Id, out var other) && other.Content != token.Content)
            {
                throw new TokenizerFormatException(source, $"added tokens '{other.Content}' and '{token.Content}' share id {token.Id}.", null);
            }

            if (_addedByContent.TryGetValue(token.Content, out var previous))
            {
                _addedById.Remove(previous.Id);
            }

            _addedByContent[token.Content] = token;
            _addedById[token.Id] = token;
        }

        if (token.Special)
        {
            _specialIds.Add(token.Id);
        }
    }
}
