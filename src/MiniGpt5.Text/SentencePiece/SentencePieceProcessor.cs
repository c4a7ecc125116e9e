using System.Text;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// Encodes and decodes exactly as SentencePiece's SentencePieceProcessor (0.1.97) does for a BPE model:
/// normalize, BPE, then SentencePiece's output rules (unknown characters become byte pieces with byte
/// fallback; without it, runs of unknown pieces fuse into one; control pieces have no surface). Offsets are
/// UTF-16 spans of the input. Thread-safe; build one per model and share it.
/// </summary>
public sealed class SentencePieceProcessor : ITextTokenizer
{
    private readonly SentencePieceNormalizer _normalizer;
    private readonly SentencePieceNormalizer? _denormalizer;
    private readonly SentencePieceBpe _bpe;
    private readonly IBpeMerger _merger;
    private readonly string[] _pieces;
    private readonly SentencePieceType[] _types;
    private readonly int[] _byteIds;
    private readonly int[] _byteValueOfId;

    /// <summary>
    /// Builds a processor for <paramref name="model"/>. <paramref name="implementation"/> and
    /// <paramref name="useCache"/> exist for tests and benchmarks; the defaults are the fast path.
    /// </summary>
    public SentencePieceProcessor(SentencePieceModel model, BpeImplementation implementation = BpeImplementation.Fast, bool useCache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        var userDefined = new PieceMatcher(model.Pieces.Where(p => p.Type == SentencePieceType.UserDefined).Select(p => p.Piece));
        _normalizer = new SentencePieceNormalizer(model.NormalizerSpec, model.TrainerSpec.TreatWhitespaceAsSuffix, userDefined, model.Source);
        if (model.DenormalizerSpec is { PrecompiledCharsMap.IsEmpty: false } denormalizerSpec)
        {
            _denormalizer = new SentencePieceNormalizer(denormalizerSpec, false, null, model.Source);
        }

        _bpe = new SentencePieceBpe(model, userDefined, useCache);
        _merger = implementation == BpeImplementation.Reference ? new ReferenceBpe(model) : _bpe;
        _pieces = [.. model.Pieces.Select(p => p.Piece)];
        _types = [.. model.Pieces.Select(p => p.Type)];
        _byteIds = [.. model.ByteIds];
        _byteValueOfId = new int[_pieces.Length];
        Array.Fill(_byteValueOfId, -1);
        for (var b = 0; b < _byteIds.Length; b++)
        {
            _byteValueOfId[_byteIds[b]] = b;
        }
    }

    /// <summary>The model this processor encodes with.</summary>
    public SentencePieceModel Model { get; }

    /// <inheritdoc />
    public int VocabularySize => _pieces.Length;

    /// <summary>Id of the unknown piece.</summary>
    public int UnknownId => Model.UnknownId;

    /// <summary>Loads a <c>tokenizer.model</c> or a LLaMA-style HF <c>tokenizer.json</c> (detected by content).</summary>
    public static SentencePieceProcessor Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TokenizerFiles.Resolve(path) switch
        {
            (TokenizerFileKind.SentencePieceModel, var file) => new SentencePieceProcessor(SentencePieceModelReader.Read(file)),
            (TokenizerFileKind.HuggingFaceTokenizerJson, var file) => new SentencePieceProcessor(HuggingFaceTokenizerJsonReader.Read(file).Model),
            var (kind, _) => throw new TokenizerFormatException(path, $"is a {kind}, not a SentencePiece model or LLaMA tokenizer.json.", null),
        };
    }

    /// <summary>The piece text of <paramref name="id"/>.</summary>
    public string IdToPiece(int id) => _pieces[CheckId(id)];

    /// <summary>SentencePiece's PieceToId: the piece's id, or the unknown id.</summary>
    public int PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        return _bpe.PieceToId(piece);
    }

    /// <summary>The type of piece <paramref name="id"/>.</summary>
    public SentencePieceType GetPieceType(int id) => _types[CheckId(id)];

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<EncodedToken>(text.Length / 3 + 4);
        EncodeInto(text, 0, tokens);
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = tokens[i].Id;
        }

        return ids;
    }

    /// <summary>Encodes and reports, for every id, the span of <paramref name="text"/> it stands for.</summary>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<EncodedToken>(text.Length / 3 + 4);
        EncodeInto(text, 0, tokens);
        return tokens;
    }

    /// <summary>
    /// The pieces of <paramref name="text"/> (SentencePiece's EncodeAsPieces): an unknown piece shows the
    /// normalized text it covers, not "&lt;unk&gt;".
    /// </summary>
    public string[] EncodeToPieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<EncodedToken>();
        var pieces = new List<string>();
        EncodeInto(text, 0, tokens, pieces);
        return [.. pieces];
    }

    /// <summary>
    /// Encodes <paramref name="text"/> and appends its tokens to <paramref name="output"/>, shifting offsets by
    /// <paramref name="offsetBase"/>; <paramref name="pieces"/>, when given, receives SentencePiece's piece strings.
    /// </summary>
    internal void EncodeInto(ReadOnlySpan<char> text, int offsetBase, List<EncodedToken> output, List<string>? pieces = null)
    {
        var normalized = _normalizer.Normalize(text);
        if (normalized.Length == 0)
        {
            return;
        }

        var symbols = new List<BpeSymbol>(normalized.Length / 2 + 2);
        _merger.Encode(normalized.Span, symbols);
        var map = normalized.ToOriginal;
        var unknown = Model.UnknownId;
        var byteFallback = _byteIds.Length == 256;
        var previousUnknown = false;
        Span<byte> utf8 = stackalloc byte[8];
        foreach (var symbol in symbols)
        {
            var isUnknown = symbol.Id == unknown;
            var begin = map[symbol.Start] + offsetBase;
            var end = map[symbol.Start + symbol.Length] + offsetBase;
            if (_types[symbol.Id] == SentencePieceType.Control)
            {
                output.Add(new EncodedToken(symbol.Id, begin, begin));
                pieces?.Add(_pieces[symbol.Id]);
            }
            else if (isUnknown && byteFallback)
            {
                // One byte piece per UTF-8 byte; the last one carries the character's surface.
                var surface = normalized.Span.Slice(symbol.Start, symbol.Length);
                var count = Encoding.UTF8.GetByteCount(surface);
                var bytes = count <= utf8.Length ? utf8[..count] : new byte[count];
                Encoding.UTF8.GetBytes(surface, bytes);
                for (var i = 0; i < bytes.Length; i++)
                {
                    output.Add(new EncodedToken(_byteIds[bytes[i]], begin, i == bytes.Length - 1 ? end : begin));
                    pieces?.Add(_pieces[_byteIds[bytes[i]]]);
                }
            }
            else if (isUnknown && previousUnknown)
            {
                // SentencePiece fuses a run of unknown pieces into one, so decoding yields one unk surface.
                output[^1] = output[^1] with { End = end };
                if (pieces is not null)
                {
                    pieces[^1] += normalized.Span.Slice(symbol.Start, symbol.Length).ToString();
                }
            }
            else
            {
                output.Add(new EncodedToken(symbol.Id, begin, end));
                pieces?.Add(isUnknown ? normalized.Span.Slice(symbol.Start, symbol.Length).ToString() : _pieces[symbol.Id]);
            }

            previousUnknown = isUnknown;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// SentencePiece's Decode: control pieces vanish, the unknown piece becomes " ⁇ " (the model's unk_surface),
    /// runs of byte pieces are read as UTF-8 with one U+FFFD per invalid byte, U+2581 becomes a space, and one
    /// leading space is dropped from the first piece (all leading spaces when the model removes extra whitespace).
    /// </remarks>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length * 4);
        var bytes = new List<byte>();
        var expectBosSpace = true;
        var bosSpaceSeen = false;
        foreach (var id in ids)
        {
            CheckId(id);
            if (_types[id] == SentencePieceType.Byte)
            {
                bytes.Add((byte)_byteValueOfId[id]);
                continue;
            }

            FlushBytes(bytes, text);
            if (bosSpaceSeen || text.Length > 0)
            {
                expectBosSpace = false;
            }

            bosSpaceSeen = AppendPiece(id, expectBosSpace, text);
        }

        FlushBytes(bytes, text);
        var decoded = text.ToString();
        if (_denormalizer is not null)
        {
            decoded = new string(_denormalizer.Normalize(decoded).Span);
        }

        return decoded;
    }

    /// <summary>Appends one non-byte piece; returns whether it consumed the leading-space marker.</summary>
    private bool AppendPiece(int id, bool expectBosSpace, StringBuilder text)
    {
        switch (_types[id])
        {
            case SentencePieceType.Control:
                return false;
            case SentencePieceType.Unknown:
                text.Append(Model.TrainerSpec.UnkSurface);
                return false;
        }

        var piece = _pieces[id].AsSpan();
        var consumedSpace = false;
        var spec = Model.NormalizerSpec;
        if (expectBosSpace && (spec.AddDummyPrefix || spec.RemoveExtraWhitespaces) && piece.Length > 0 && piece[0] == SentencePieceNormalizer.SpaceSymbol)
        {
            piece = piece[1..];
            consumedSpace = !spec.RemoveExtraWhitespaces;
        }

        foreach (var c in piece)
        {
            text.Append(c == SentencePieceNormalizer.SpaceSymbol ? ' ' : c);
        }

        return consumedSpace;
    }

    /// <summary>SentencePiece's reading of byte pieces: valid UTF-8 characters as they are, U+FFFD for each invalid byte.</summary>
    internal static void FlushBytes(List<byte> bytes, StringBuilder text)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        var i = 0;
        while (i < span.Length)
        {
            var length = SentencePieceUtf8.DecodeOne(span[i..], out var codePoint);
            if (length == 0)
            {
                text.Append('\uFFFD');
                i++;
            }
            else
            {
                text.Append(new Rune(codePoint).ToString());
                i += length;
            }
        }

        bytes.Clear();
    }

    private int CheckId(int id)
    {
        if ((uint)id >= (uint)_pieces.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Invalid id: {id} (the vocabulary has {_pieces.Length} pieces).");
        }

        return id;
    }
}
