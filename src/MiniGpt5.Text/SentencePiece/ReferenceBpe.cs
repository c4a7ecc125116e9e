namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// <see cref="BpeImplementation.Reference"/>: SentencePiece's BPE written as plainly as possible. Each step
/// looks at every adjacent pair, concatenates it into a new string, looks it up, keeps the best (highest score,
/// leftmost on ties), merges it and starts over. Quadratic and allocation-heavy on purpose: it is the
/// obviously-correct baseline the fast merger is tested and benchmarked against.
/// </summary>
internal sealed class ReferenceBpe : IBpeMerger
{
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly SentencePieceModel _model;
    private readonly string[] _userDefined;

    public ReferenceBpe(SentencePieceModel model)
    {
        _model = model;
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            var (piece, _, type) = model.Pieces[id];
            if (type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused)
            {
                _pieces[piece] = id;
            }
            else
            {
                _reserved[piece] = id;
            }
        }

        _userDefined = [.. model.Pieces.Where(p => p.Type == SentencePieceType.UserDefined).Select(p => p.Piece).OrderByDescending(p => p.Length)];
    }

    public void Encode(ReadOnlySpan<char> normalized, List<BpeSymbol> output)
    {
        var text = normalized.ToString();
        var symbols = new List<(string Piece, int Start, bool Frozen)>();
        for (var pos = 0; pos < text.Length;)
        {
            var user = _userDefined.FirstOrDefault(u => text.AsSpan(pos).StartsWith(u, StringComparison.Ordinal));
            var width = user?.Length ?? (char.IsHighSurrogate(text[pos]) && pos + 1 < text.Length && char.IsLowSurrogate(text[pos + 1]) ? 2 : 1);
            symbols.Add((text.Substring(pos, width), pos, user is not null));
            pos += width;
        }

        // The "last recorded split" of UNUSED pieces, replayed in SentencePiece's push order: all initial pairs,
        // then after each merge the pair to the left and the pair to the right of the merged symbol.
        var reverse = new Dictionary<string, int>(StringComparer.Ordinal);
        void Record(int left)
        {
            if (left >= 0 && left + 1 < symbols.Count && !symbols[left].Frozen && !symbols[left + 1].Frozen)
            {
                var merged = symbols[left].Piece + symbols[left + 1].Piece;
                if (_pieces.TryGetValue(merged, out var id) && _model.Pieces[id].Type == SentencePieceType.Unused)
                {
                    reverse[merged] = symbols[left].Piece.Length;
                }
            }
        }

        for (var i = 0; i + 1 < symbols.Count; i++)
        {
            Record(i);
        }

        while (true)
        {
            var best = -1;
            var bestScore = float.NegativeInfinity;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (symbols[i].Frozen || symbols[i + 1].Frozen)
                {
                    continue;
                }

                if (_pieces.TryGetValue(symbols[i].Piece + symbols[i + 1].Piece, out var id) && (best < 0 || _model.Pieces[id].Score > bestScore))
                {
                    best = i;
                    bestScore = _model.Pieces[id].Score;
                }
            }

            if (best < 0)
            {
                break;
            }

            symbols[best] = (symbols[best].Piece + symbols[best + 1].Piece, symbols[best].Start, false);
            symbols.RemoveAt(best + 1);
            Record(best - 1);
            Record(best);
        }

        foreach (var (piece, start, _) in symbols)
        {
            Resegment(piece, start, reverse, output);
        }
    }

    private void Resegment(string piece, int start, Dictionary<string, int> reverse, List<BpeSymbol> output)
    {
        var id = _reserved.TryGetValue(piece, out var r) ? r : _pieces.TryGetValue(piece, out var p) ? p : _model.UnknownId;
        if (_model.Pieces[id].Type == SentencePieceType.Unused && reverse.TryGetValue(piece, out var split))
        {
            Resegment(piece[..split], start, reverse, output);
            Resegment(piece[split..], start + split, reverse, output);
            return;
        }

        output.Add(new BpeSymbol(id, start, piece.Length));
    }
}
