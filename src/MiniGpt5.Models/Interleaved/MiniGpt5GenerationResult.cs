using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// One MiniGPT-5 response: the ids as transformers returns them (<see cref="Sequence"/> starts with the dummy id 0
/// that Vicuna-v0's generation_config puts first), the decoded text, and, when <c>[IMG0]</c> was produced, the
/// voken features [1, 8, D] that feed the mapper. Owns the feature tensor.
/// </summary>
public sealed class MiniGpt5GenerationResult : IDisposable
{
    internal MiniGpt5GenerationResult(
        IReadOnlyList<int> sequence, string rawText, string text, Tensor? vokenFeatures, StopReason stopReason, MiniGpt5Timings timings)
    {
        Sequence = sequence;
        RawText = rawText;
        Text = text;
        VokenFeatures = vokenFeatures;
        StopReason = stopReason;
        Timings = timings;
    }

    /// <summary>transformers' <c>sequences[0]</c>: the dummy 0 then every generated id (only [IMG0] of each voken block).</summary>
    public IReadOnlyList<int> Sequence { get; }

    /// <summary>The generated ids without the dummy.</summary>
    public IReadOnlyList<int> GeneratedTokens => Sequence.Skip(1).ToArray();

    /// <summary><c>tokenizer.decode(sequences[0], skip_special_tokens=False)</c>, e.g. "&lt;unk&gt; a man ... [IMG0] ###".</summary>
    public string RawText { get; }

    /// <summary>The text a reader sees: special tokens, vokens and "###" removed, trimmed.</summary>
    public string Text { get; }

    /// <summary>concat(h that emitted [IMG0], h[IMG0..IMG6]) [1, 8, D] (last layer, after the final norm), or null without [IMG0].</summary>
    public Tensor? VokenFeatures { get; }

    /// <summary>True when the response produced [IMG0] and so has an image.</summary>
    public bool HasImage => VokenFeatures is not null;

    /// <summary>Why generation ended.</summary>
    public StopReason StopReason { get; }

    /// <summary>Where the time went.</summary>
    public MiniGpt5Timings Timings { get; }

    /// <inheritdoc />
    public void Dispose() => VokenFeatures?.Dispose();
}
