using System.Globalization;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// A validated SentencePiece model: the pieces (id = index) and the specs that drive encoding. Built from a
/// <c>tokenizer.model</c> by <see cref="SentencePieceModelReader"/> or from an HF <c>tokenizer.json</c> by
/// <see cref="HuggingFaceTokenizerJsonReader"/>; both give the same behaviour for the same vocabulary.
/// Validation follows SentencePiece's ModelInterface::InitializePieces.
/// </summary>
public sealed class SentencePieceModel
{
    private readonly SentencePieceEntry[] _pieces;

    /// <summary>Validates and wraps the pieces. <paramref name="source"/> names the file in errors.</summary>
    public SentencePieceModel(
        string source,
        IReadOnlyList<SentencePieceEntry> pieces,
        SentencePieceTrainerSpec trainerSpec,
        SentencePieceNormalizerSpec normalizerSpec,
        SentencePieceNormalizerSpec? denormalizerSpec = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(trainerSpec);
        ArgumentNullException.ThrowIfNull(normalizerSpec);
        Source = source;
        _pieces = [.. pieces];
        TrainerSpec = trainerSpec;
        NormalizerSpec = normalizerSpec;
        DenormalizerSpec = denormalizerSpec;
        Validate();
    }

    /// <summary>Where the model came from (a path), for error messages.</summary>
    public string Source { get; }

    /// <summary>The pieces; a piece's id is its index.</summary>
    public IReadOnlyList<SentencePieceEntry> Pieces => _pieces;

    /// <summary>Trainer settings that matter for encoding.</summary>
    public SentencePieceTrainerSpec TrainerSpec { get; }

    /// <summary>Normalizer settings.</summary>
    public SentencePieceNormalizerSpec NormalizerSpec { get; }

    /// <summary>Rules applied to decoded text, when the model has them (rare).</summary>
    public SentencePieceNormalizerSpec? DenormalizerSpec { get; }

    /// <summary>Id of the unknown piece.</summary>
    public int UnknownId { get; private set; }

    /// <summary>Ids of the 256 byte pieces by byte value; empty without byte fallback.</summary>
    public IReadOnlyList<int> ByteIds { get; private set; } = [];

    private void Validate()
    {
        if (TrainerSpec.ModelType != SentencePieceModelType.Bpe)
        {
            throw new TokenizerFormatException(Source,
                $"model_type is {TrainerSpec.ModelType}; only BPE SentencePiece models (LLaMA's kind) are supported.", null);
        }

        if (_pieces.Length == 0)
        {
            throw new TokenizerFormatException(Source, "the model has no pieces.", null);
        }

        var normal = new HashSet<string>(StringComparer.Ordinal);
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        var unk = -1;
        var bytes = new int[256];
        Array.Fill(bytes, -1);
        for (var id = 0; id < _pieces.Length; id++)
        {
            var (piece, _, type) = _pieces[id];
            if (string.IsNullOrEmpty(piece))
            {
                throw new TokenizerFormatException(Source, $"piece {id} is empty.", null);
            }

            if (!Enum.IsDefined(type))
            {
                throw new TokenizerFormatException(Source, $"piece {id} '{piece}' has unknown type {(int)type}.", null);
            }

            var isNormal = type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused;
            if (!(isNormal ? normal : reserved).Add(piece))
            {
                throw new TokenizerFormatException(Source, $"piece {id} '{piece}' is already defined.", null);
            }

            if (type == SentencePieceType.Unknown)
            {
                if (unk >= 0)
                {
                    throw new TokenizerFormatException(Source, $"piece {id} '{piece}' is a second unknown piece (the first is {unk}).", null);
                }

                unk = id;
            }
            else if (type == SentencePieceType.Byte)
            {
                if (!TrainerSpec.ByteFallback)
                {
                    throw new TokenizerFormatException(Source, $"byte piece {id} '{piece}' is found although byte_fallback is false.", null);
                }

                var value = ParseBytePiece(piece);
                if (value < 0)
                {
                    throw new TokenizerFormatException(Source, $"byte piece {id} '{piece}' is not of the form <0xNN>.", null);
                }

                bytes[value] = id;
            }
        }

        if (unk < 0)
        {
            throw new TokenizerFormatException(Source, "the model has no unknown piece.", null);
        }

        UnknownId = unk;
        if (TrainerSpec.ByteFallback)
        {
            var missing = Array.IndexOf(bytes, -1);
            if (missing >= 0)
            {
                throw new TokenizerFormatException(Source,
                    $"byte_fallback is true but the byte piece <0x{missing:X2}> is missing (256 are required).", null);
            }

            ByteIds = bytes;
        }
    }

    /// <summary>The byte value of a piece written <c>&lt;0xNN&gt;</c> (upper-case hex, as SentencePiece writes them), or -1.</summary>
    public static int ParseBytePiece(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>')
        {
            return -1;
        }

        // SentencePiece writes "<0x%02X>" and looks pieces up by exact string: lower-case hex is not a byte piece.
        return IsUpperHex(piece[3]) && IsUpperHex(piece[4])
            ? int.Parse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : -1;

        static bool IsUpperHex(char c) => c is (>= '0' and <= '9') or (>= 'A' and <= 'F');
    }
}
