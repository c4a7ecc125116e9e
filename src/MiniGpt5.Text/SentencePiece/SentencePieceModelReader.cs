using System.Text;
using Google.Protobuf;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// Reads a SentencePiece <c>tokenizer.model</c> (a serialized <c>sentencepiece.ModelProto</c>, proto2) by field
/// number with Google.Protobuf's <see cref="CodedInputStream"/>; no generated classes. Unknown fields are
/// skipped, as protobuf requires.
/// </summary>
public static class SentencePieceModelReader
{
    // ModelProto
    private const int PiecesField = 1;
    private const int TrainerSpecField = 2;
    private const int NormalizerSpecField = 3;
    private const int DenormalizerSpecField = 5;

    /// <summary>Reads and validates the model at <paramref name="path"/>.</summary>
    public static async Task<SentencePieceModel> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Read(bytes, path);
    }

    /// <summary>Reads and validates the model at <paramref name="path"/> (synchronous file read).</summary>
    public static SentencePieceModel Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a serialized ModelProto; <paramref name="source"/> names it in errors.</summary>
    public static SentencePieceModel Read(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var pieces = new List<SentencePieceEntry>();
        var trainer = SentencePieceTrainerSpec.Default;
        var normalizer = SentencePieceNormalizerSpec.Default;
        SentencePieceNormalizerSpec? denormalizer = null;
        var sawPiece = false;
        try
        {
            var input = new CodedInputStream(bytes.ToArray());
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var field = WireFormat.GetTagFieldNumber(tag);
                var isMessage = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
                switch (field)
                {
                    case PiecesField when isMessage:
                        pieces.Add(ReadPiece(input.ReadBytes(), pieces.Count, source));
                        sawPiece = true;
                        break;
                    case TrainerSpecField when isMessage:
                        trainer = ReadTrainerSpec(input.ReadBytes());
                        break;
                    case NormalizerSpecField when isMessage:
                        normalizer = ReadNormalizerSpec(input.ReadBytes());
                        break;
                    case DenormalizerSpecField when isMessage:
                        denormalizer = ReadNormalizerSpec(input.ReadBytes());
                        break;
                    case PiecesField or TrainerSpecField or NormalizerSpecField or DenormalizerSpecField:
                        throw new TokenizerFormatException(source,
                            $"ModelProto field {field} has wire type {WireFormat.GetTagWireType(tag)}, expected a message. Is this a SentencePiece model?", null);
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new TokenizerFormatException(source, $"not a valid SentencePiece ModelProto ({e.Message}).", e);
        }

        if (!sawPiece)
        {
            throw new TokenizerFormatException(source, "no pieces found; this is not a SentencePiece model.", null);
        }

        return new SentencePieceModel(source, pieces, trainer, normalizer, denormalizer);
    }

    private static SentencePieceEntry ReadPiece(ByteString message, int id, string source)
    {
        // SentencePiece { optional string piece = 1; optional float score = 2; optional Type type = 3 [default = NORMAL]; }
        string? piece = null;
        var score = 0f;
        var type = SentencePieceType.Normal;
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | 2:
                    piece = ReadUtf8(input.ReadBytes(), source, $"piece {id}");
                    break;
                case (2 << 3) | 5:
                    score = input.ReadFloat();
                    break;
                case 3 << 3:
                    type = (SentencePieceType)input.ReadEnum();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new SentencePieceEntry(piece ?? string.Empty, score, type);
    }

    private static SentencePieceTrainerSpec ReadTrainerSpec(ByteString message)
    {
        var spec = SentencePieceTrainerSpec.Default;
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case 3 << 3:
                    spec = spec with { ModelType = (SentencePieceModelType)input.ReadEnum() };
                    break;
                case 4 << 3:
                    spec = spec with { VocabSize = input.ReadInt32() };
                    break;
                case 24 << 3:
                    spec = spec with { TreatWhitespaceAsSuffix = input.ReadBool() };
                    break;
                case 35 << 3:
                    spec = spec with { ByteFallback = input.ReadBool() };
                    break;
                case 40 << 3:
                    spec = spec with { UnkId = input.ReadInt32() };
                    break;
                case 41 << 3:
                    spec = spec with { BosId = input.ReadInt32() };
                    break;
                case 42 << 3:
                    spec = spec with { EosId = input.ReadInt32() };
                    break;
                case 43 << 3:
                    spec = spec with { PadId = input.ReadInt32() };
                    break;
                case (44 << 3) | 2:
                    spec = spec with { UnkSurface = input.ReadBytes().ToStringUtf8() };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return spec;
    }

    private static SentencePieceNormalizerSpec ReadNormalizerSpec(ByteString message)
    {
        var spec = SentencePieceNormalizerSpec.Default;
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | 2:
                    spec = spec with { Name = input.ReadBytes().ToStringUtf8() };
                    break;
                case (2 << 3) | 2:
                    spec = spec with { PrecompiledCharsMap = input.ReadBytes().ToByteArray() };
                    break;
                case 3 << 3:
                    spec = spec with { AddDummyPrefix = input.ReadBool() };
                    break;
                case 4 << 3:
                    spec = spec with { RemoveExtraWhitespaces = input.ReadBool() };
                    break;
                case 5 << 3:
                    spec = spec with { EscapeWhitespaces = input.ReadBool() };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return spec;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string ReadUtf8(ByteString bytes, string source, string what)
    {
        try
        {
            return StrictUtf8.GetString(bytes.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new TokenizerFormatException(source, $"{what} is not valid UTF-8.", e);
        }
    }
}
