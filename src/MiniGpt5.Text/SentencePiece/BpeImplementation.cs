namespace MiniGpt5.Text.SentencePiece;

/// <summary>Which BPE merge loop a <see cref="SentencePieceProcessor"/> runs. Both give the same ids.</summary>
public enum BpeImplementation
{
    /// <summary>Heap of candidate pairs over a linked list of symbols, word segments cached (the default).</summary>
    Fast = 0,

    /// <summary>
    /// The plain reading of SentencePiece's algorithm: scan every adjacent pair for the best one, build the
    /// concatenated string, merge, repeat; O(n²) per text, no cache. For tests and as a benchmark anchor.
    /// </summary>
    Reference = 1,
}
