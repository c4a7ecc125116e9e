namespace MiniGpt5.Models.Llama.Generation;

/// <summary>Why generation ended.</summary>
public enum StopReason
{
    /// <summary>The generated ids ended in a stop sequence (MiniGPT-5: "▁###" or "##" "#").</summary>
    StopSequence,

    /// <summary>An end-of-sequence id was produced (it is kept in the output, as transformers keeps it).</summary>
    EndOfSequence,

    /// <summary>The maximum number of new tokens was reached.</summary>
    MaxNewTokens,

    /// <summary>The context (KV cache) is full.</summary>
    ContextFull,
}
