namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// Longest-prefix matching over a small set of strings (SentencePiece's PrefixMatcher for user-defined
/// symbols): a character trie, ordinal comparison.
/// </summary>
internal sealed class PieceMatcher
{
    private readonly Node _root = new();

    public PieceMatcher(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        foreach (var word in words)
        {
            if (word.Length == 0)
            {
                continue;
            }

            var node = _root;
            foreach (var c in word)
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(c, out var next))
                {
                    next = new Node();
                    node.Children[c] = next;
                }

                node = next;
            }

            node.IsWord = true;
            IsEmpty = false;
        }
    }

    /// <summary>True when there is nothing to match.</summary>
    public bool IsEmpty { get; } = true;

    /// <summary>Length of the longest word that <paramref name="text"/> starts with, or 0.</summary>
    public int LongestMatch(ReadOnlySpan<char> text)
    {
        var node = _root;
        var longest = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (node.Children is null || !node.Children.TryGetValue(text[i], out node))
            {
                break;
            }

            if (node.IsWord)
            {
                longest = i + 1;
            }
        }

        return longest;
    }

    private sealed class Node
    {
        public Dictionary<char, Node>? Children { get; set; }

        public bool IsWord { get; set; }
    }
}
