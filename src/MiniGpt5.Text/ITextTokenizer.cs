namespace MiniGpt5.Text;

/// <summary>What every tokenizer here offers: text to ids and back.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids this tokenizer can produce (base vocabulary plus added tokens).</summary>
    int VocabularySize { get; }

    /// <summary>Encodes <paramref name="text"/> without adding BOS/EOS or padding.</summary>
    int[] Encode(string text);

    /// <summary>Turns ids back into text.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
