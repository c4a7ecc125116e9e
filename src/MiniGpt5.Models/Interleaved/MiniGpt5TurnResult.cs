using MiniGpt5.Imaging;
using MiniGpt5.Models.Llama.Generation;

namespace MiniGpt5.Models.Interleaved;

/// <summary>The response of one turn: text, the image when [IMG0] was produced, and timings.</summary>
public sealed record MiniGpt5TurnResult
{
    /// <summary>The reader's text (vokens and "###" removed).</summary>
    public required string Text { get; init; }

    /// <summary>The decoded sequence as the release prints it ("&lt;unk&gt; ... [IMG0] ###").</summary>
    public required string RawText { get; init; }

    /// <summary>Generated ids (transformers' sequences[0] without the dummy first id).</summary>
    public required IReadOnlyList<int> Tokens { get; init; }

    /// <summary>The image, or null when the response has no [IMG0] (or the model has no image generator).</summary>
    public Image? Image { get; init; }

    /// <summary>True when the response produced [IMG0].</summary>
    public required bool HasVokens { get; init; }

    /// <summary>Why the text ended.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Time per stage.</summary>
    public required MiniGpt5Timings Timings { get; init; }
}
