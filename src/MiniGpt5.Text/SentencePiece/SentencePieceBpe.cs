using System.Buffers;
using System.Collections.Concurrent;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// SentencePiece's bpe::Model::SampleEncode (without dropout) on normalized UTF-16 text: characters (and
/// user-defined symbols, which never merge) start as symbols; the adjacent pair whose concatenation is a
/// piece with the highest score merges first (leftmost among equal scores); pieces of type UNUSED are split
/// back along the merge that formed them. A heap of candidate pairs over a linked list of symbols: O(n log n).
/// <para>
/// Speed-up that keeps the result identical: two neighbouring characters that occur next to each other in no
/// piece can never end up in the same symbol, so the text splits there into segments that are encoded on
/// their own (for LLaMA these are words: no piece has U+2581 after another character). Short segments are
/// cached. Models with UNUSED pieces are encoded in one piece, because SentencePiece's resegmentation table
/// is shared by the whole input.
/// </para>
/// </summary>
internal sealed class SentencePieceBpe : IBpeMerger
{
    /// <summary>Segments up to this many UTF-16 units are cached.</summary>
    public const int MaxCachedSegmentLength = 64;

    /// <summary>The cache is emptied when it reaches this many segments.</summary>
    public const int CacheCapacity = 1 << 17;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _reserved;
    private readonly float[] _scores;
    private readonly SentencePieceType[] _types;
    private readonly int _unknownId;
    private readonly PieceMatcher? _userDefined;
    private readonly bool _hasUnused;
    private readonly HashSet<int> _innerBigrams = [];
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    public SentencePieceBpe(SentencePieceModel model, PieceMatcher? userDefined, bool useCache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var pieces = new Dictionary<string, int>(StringComparer.Ordinal);
        var reserved = new Dictionary<string, int>(StringComparer.Ordinal);
        _scores = new float[model.Pieces.Count];
        _types = new SentencePieceType[model.Pieces.Count];
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            var (piece, score, type) = model.Pieces[id];
            _scores[id] = score;
            _types[id] = type;
            if (type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused)
            {
                pieces.Add(piece, id);
                _hasUnused |= type == SentencePieceType.Unused;
                for (var i = 1; i < piece.Length; i++)
                {
                    _innerBigrams.Add(Bigram(piece[i - 1], piece[i]));
                }
            }
            else
            {
                reserved.Add(piece, id);
            }
        }

        _pieces = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        _reserved = reserved.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownId = model.UnknownId;
        _userDefined = userDefined is { IsEmpty: false } ? userDefined : null;
        UseCache = useCache && !_hasUnused;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether segments are cached (off for models with UNUSED pieces).</summary>
    public bool UseCache { get; }

    /// <summary>SentencePiece's PieceToId: reserved pieces first, then ordinary ones, else the unknown id.</summary>
    public int PieceToId(ReadOnlySpan<char> piece) =>
        _reserved.TryGetValue(piece, out var id) ? id : _pieces.TryGetValue(piece, out id) ? id : _unknownId;

    /// <summary>Appends the final symbols of <paramref name="normalized"/> to <paramref name="output"/>.</summary>
    public void Encode(ReadOnlySpan<char> normalized, List<BpeSymbol> output)
    {
        if (normalized.IsEmpty)
        {
            return;
        }

        var n = normalized.Length;
        var start = ArrayPool<int>.Shared.Rent(n);
        var length = ArrayPool<int>.Shared.Rent(n);
        var prev = ArrayPool<int>.Shared.Rent(n);
        var next = ArrayPool<int>.Shared.Rent(n);
        var frozen = ArrayPool<bool>.Shared.Rent(n);
        try
        {
            // Split into characters; user-defined symbols are matched whole and frozen.
            var count = 0;
            for (var pos = 0; pos < n; count++)
            {
                var matched = _userDefined?.LongestMatch(normalized[pos..]) ?? 0;
                var width = matched > 0 ? matched
                    : char.IsHighSurrogate(normalized[pos]) && pos + 1 < n && char.IsLowSurrogate(normalized[pos + 1]) ? 2 : 1;
                start[count] = pos;
                length[count] = width;
                frozen[count] = matched > 0;
                pos += width;
            }

            var work = new Work(normalized, start, length, prev, next, frozen);
            var segmentStart = 0;
            if (!_hasUnused)
            {
                for (var i = 1; i < count; i++)
                {
                    if (frozen[i - 1] || frozen[i] || !_innerBigrams.Contains(Bigram(normalized[start[i] - 1], normalized[start[i]])))
                    {
                        EncodeSegment(work, segmentStart, i, output);
                        segmentStart = i;
                    }
                }
            }

            EncodeSegment(work, segmentStart, count, output);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(start);
            ArrayPool<int>.Shared.Return(length);
            ArrayPool<int>.Shared.Return(prev);
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<bool>.Shared.Return(frozen);
        }
    }

    /// <summary>Encodes symbols <c>[first, end)</c>, using the cache when the segment is short.</summary>
    private void EncodeSegment(in Work work, int first, int end, List<BpeSymbol> output)
    {
        var textStart = work.Start[first];
        var textLength = work.Start[end - 1] + work.Length[end - 1] - textStart;
        var text = work.Text.Slice(textStart, textLength);
        if (end - first == 1)
        {
            output.Add(new BpeSymbol(PieceToId(text), textStart, textLength));
            return;
        }

        var cacheable = UseCache && textLength <= MaxCachedSegmentLength;
        if (cacheable && _cacheBySpan.TryGetValue(text, out var cached))
        {
            for (int i = 0, pos = textStart; i < cached.Length; i += 2)
            {
                output.Add(new BpeSymbol(cached[i], pos, cached[i + 1]));
                pos += cached[i + 1];
            }

            return;
        }

        var before = output.Count;
        Merge(work, first, end, output);
        if (cacheable)
        {
            var entry = new int[(output.Count - before) * 2];
            for (var i = before; i < output.Count; i++)
            {
                entry[(i - before) * 2] = output[i].Id;
                entry[((i - before) * 2) + 1] = output[i].Length;
            }

            if (_cache.Count >= CacheCapacity)
            {
                _cache.Clear();
            }

            _cacheBySpan.TryAdd(text, entry);
        }
    }

    private void Merge(in Work work, int first, int end, List<BpeSymbol> output)
    {
        var text = work.Text;
        var start = work.Start;
        var length = work.Length;
        var prev = work.Prev;
        var next = work.Next;
        for (var i = first; i < end; i++)
        {
            prev[i] = i == first ? -1 : i - 1;
            next[i] = i == end - 1 ? -1 : i + 1;
        }

        // SentencePiece's rev_merge: for a piece of type UNUSED, where its last recorded merge split it.
        var reverseMerges = _hasUnused ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        var agenda = new SymbolPairHeap(end - first);

        for (var i = first + 1; i < end; i++)
        {
            TryAddPair(work, ref agenda, reverseMerges, i - 1, i);
        }

        while (agenda.Count > 0)
        {
            var top = agenda.Pop();
            if (length[top.Left] == 0 || length[top.Right] == 0 || length[top.Left] + length[top.Right] != top.Size)
            {
                continue; // stale: one side has merged since this pair was queued
            }

            length[top.Left] = top.Size;
            next[top.Left] = next[top.Right];
            if (next[top.Right] >= 0)
            {
                prev[next[top.Right]] = top.Left;
            }

            length[top.Right] = 0;
            TryAddPair(work, ref agenda, reverseMerges, prev[top.Left], top.Left);
            TryAddPair(work, ref agenda, reverseMerges, top.Left, next[top.Left]);
        }

        for (var i = first; i != -1; i = next[i])
        {
            Resegment(text, start[i], length[i], reverseMerges, output);
        }
    }

    /// <summary>Queues the merge of two neighbouring symbols when their concatenation is a piece.</summary>
    private void TryAddPair(in Work work, ref SymbolPairHeap agenda, Dictionary<string, int>? reverseMerges, int left, int right)
    {
        if (left < 0 || right < 0 || work.Frozen[left] || work.Frozen[right])
        {
            return;
        }

        var size = work.Length[left] + work.Length[right];
        var piece = work.Text.Slice(work.Start[left], size);
        if (!_pieces.TryGetValue(piece, out var id))
        {
            return;
        }

        agenda.Push(_scores[id], left, right, size);
        if (reverseMerges is not null && _types[id] == SentencePieceType.Unused)
        {
            reverseMerges[piece.ToString()] = work.Length[left];
        }
    }

    private void Resegment(ReadOnlySpan<char> text, int start, int length, Dictionary<string, int>? reverseMerges, List<BpeSymbol> output)
    {
        var piece = text.Slice(start, length);
        var id = PieceToId(piece);
        if (reverseMerges is not null && _types[id] == SentencePieceType.Unused
            && reverseMerges.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out var split))
        {
            Resegment(text, start, split, reverseMerges, output);
            Resegment(text, start + split, length - split, reverseMerges, output);
            return;
        }

        output.Add(new BpeSymbol(id, start, length));
    }

    private static int Bigram(char a, char b) => (a << 16) | b;

    /// <summary>The symbol arrays of one Encode call (indexed by the symbol's first character position order).</summary>
    private readonly ref struct Work(ReadOnlySpan<char> text, int[] start, int[] length, int[] prev, int[] next, bool[] frozen)
    {
        public ReadOnlySpan<char> Text { get; } = text;

        public int[] Start { get; } = start;

        public int[] Length { get; } = length;

        public int[] Prev { get; } = prev;

        public int[] Next { get; } = next;

        public bool[] Frozen { get; } = frozen;
    }
}
