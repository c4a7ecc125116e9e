using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Commands.Generate;

/// <summary>
/// Writes generated text as the tokens arrive. SentencePiece pieces do not decode one at a time (a leading "▁" is a
/// space only between words; a character may span several byte pieces), so the whole response is decoded again at
/// each token and only the new tail is written; a tail that ends in an incomplete character (U+FFFD) waits for the
/// next token.
/// </summary>
internal sealed class TextStreamer(LlamaTokenizer tokenizer, TextWriter writer, Func<string, string> clean)
{
    private readonly List<int> _ids = [];
    private int _written;

    /// <summary>Adds one generated id and writes whatever new text it completes.</summary>
    public void Add(int id)
    {
        _ids.Add(id);
        var text = clean(GenerateText.Decode(tokenizer, _ids, skipSpecialTokens: true, out _));
        if (text.Length <= _written || text.EndsWith('\uFFFD'))
        {
            return;
        }

        writer.Write(text.AsSpan(_written));
        writer.Flush();
        _written = text.Length;
    }

    /// <summary>Ends the streamed line.</summary>
    public void Finish()
    {
        writer.WriteLine();
        writer.Flush();
    }
}
