namespace MiniGpt5.Text.SentencePiece;

/// <summary>ModelProto.SentencePiece.Type, with the protobuf enum values.</summary>
public enum SentencePieceType
{
    /// <summary>An ordinary piece that BPE merges can produce.</summary>
    Normal = 1,

    /// <summary>The unknown piece (<c>&lt;unk&gt;</c>); exactly one per model.</summary>
    Unknown = 2,

    /// <summary>A control piece (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>): never produced from text, decodes to nothing.</summary>
    Control = 3,

    /// <summary>A user-defined piece: matched whole in the input and never merged further.</summary>
    UserDefined = 4,

    /// <summary>A piece merges may form but that is split back into its parts before output.</summary>
    Unused = 5,

    /// <summary>A byte piece <c>&lt;0xNN&gt;</c> used by byte fallback.</summary>
    Byte = 6,
}
