using MiniGpt5.Text.PythonCompat;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text;

/// <summary>
/// transformers 4.31's slow-tokenizer <c>tokenize()</c> front end, shared by the LLaMA and CLIP tokenizers: cut
/// the text at added/special tokens (longest match, leftmost first; transformers' Trie.split), then strip Python
/// whitespace next to tokens that ask for it (<see cref="AddedToken.StripLeft"/>, <see cref="AddedToken.StripRight"/>);
/// chunks that end up empty disappear.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<string, AddedToken> _tokens = new(StringComparer.Ordinal);
    private readonly PieceMatcher _matcher;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens)
        {
            _tokens.TryAdd(token.Content, token);
        }

        _matcher = new PieceMatcher(_tokens.Keys);
    }

    /// <summary>The text as a list of parts: a token, or a chunk <c>text[Start..End]</c> to encode (Token null).</summary>
    public List<(int Start, int End, AddedToken? Token)> Split(string text)
    {
        var parts = new List<(int Start, int End, AddedToken? Token)>();
        var chunkStart = 0;
        for (var i = 0; i < text.Length;)
        {
            var length = _matcher.LongestMatch(text.AsSpan(i));
            if (length == 0)
            {
                i++;
                continue;
            }

            if (i > chunkStart)
            {
                parts.Add((chunkStart, i, null));
            }

            parts.Add((i, i + length, _tokens[text.Substring(i, length)]));
            i += length;
            chunkStart = i;
        }

        if (chunkStart < text.Length)
        {
            parts.Add((chunkStart, text.Length, null));
        }

        for (var p = 0; p < parts.Count; p++)
        {
            if (parts[p].Token is not { } token)
            {
                continue;
            }

            // A token that eats the whitespace on its right strips the start of the next chunk, and vice versa.
            if (token.StripRight && p + 1 < parts.Count && parts[p + 1].Token is null)
            {
                var (start, end, _) = parts[p + 1];
                parts[p + 1] = (end - PythonWhitespace.StripStart(text.AsSpan(start, end - start)).Length, end, null);
            }

            if (token.StripLeft && p > 0 && parts[p - 1].Token is null)
            {
                var (start, end, _) = parts[p - 1];
                parts[p - 1] = (start, start + PythonWhitespace.StripEnd(text.AsSpan(start, end - start)).Length, null);
            }
        }

        parts.RemoveAll(part => part.Token is null && part.End == part.Start);
        return parts;
    }
}
