using System.Collections.Concurrent;
using System.Text;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Text.Clip;

/// <summary>
/// CLIP's word-level BPE over byte characters with the <c>&lt;/w&gt;</c> end-of-word marker, on token ids:
/// the lowest-ranked merge among adjacent symbols applies first. openai's loop applies every occurrence of
/// the chosen pair in one pass; merging one occurrence at a time, leftmost first, from a heap gives the same
/// result whenever every merge only uses symbols made by earlier merges (true of CLIP's list, and checked at
/// load: otherwise the reference loop runs). Words are cached.
/// </summary>
internal sealed class ClipBpe
{
    private const int MaxCachedWordLength = 64;
    private const int CacheCapacity = 1 << 16;

    private readonly Dictionary<long, (int Rank, int Merged)> _merges = [];
    private readonly Dictionary<(string, string), int> _mergeRanks = [];
    private readonly Dictionary<string, int> _vocabulary;
    private readonly int[] _byteIds = new int[256];
    private readonly int[] _byteEndOfWordIds = new int[256];
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    public ClipBpe(Dictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges, string source)
    {
        _vocabulary = vocabulary;
        for (var b = 0; b < 256; b++)
        {
            var c = ByteLevelAlphabet.ByteToChar[b].ToString();
            _byteIds[b] = Lookup(c, source, "byte character");
            _byteEndOfWordIds[b] = Lookup(c + "</w>", source, "byte character with </w>");
        }

        var available = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in ByteLevelAlphabet.ByteToChar)
        {
            available.Add(b.ToString());
            available.Add(b + "</w>");
        }

        WellFormed = true;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            var leftId = Lookup(left, source, $"merges line {rank + 2}: left part");
            var rightId = Lookup(right, source, $"merges line {rank + 2}: right part");
            var mergedId = Lookup(left + right, source, $"merges line {rank + 2}: merged piece");
            _merges.TryAdd(Key(leftId, rightId), (rank, mergedId));
            _mergeRanks.TryAdd((left, right), rank);
            WellFormed &= available.Contains(left) && available.Contains(right);
            available.Add(left + right);
        }

        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether every merge uses only symbols made by earlier merges, so the heap loop is exact.</summary>
    public bool WellFormed { get; }

    /// <summary>Appends the ids of one pre-tokenized word (its UTF-8 bytes, the last one marked end-of-word).</summary>
    public void EncodeWord(ReadOnlySpan<char> word, List<int> output, bool reference = false)
    {
        if (word is ClipPreTokenizer.StartOfText or ClipPreTokenizer.EndOfText)
        {
            output.Add(_vocabulary[word.ToString()]); // openai's cache maps the specials to themselves
            return;
        }

        var cacheable = !reference && word.Length <= MaxCachedWordLength;
        if (cacheable && _cacheBySpan.TryGetValue(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(word.ToString());
        var ids = reference || !WellFormed ? MergeReference(bytes) : MergeFast(bytes);
        output.AddRange(ids);
        if (cacheable)
        {
            if (_cache.Count >= CacheCapacity)
            {
                _cache.Clear();
            }

            _cacheBySpan.TryAdd(word, ids);
        }
    }

    private int[] MergeFast(byte[] bytes)
    {
        var n = bytes.Length;
        var ids = new int[n];
        var prev = new int[n];
        var next = new int[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = i == n - 1 ? _byteEndOfWordIds[bytes[i]] : _byteIds[bytes[i]];
            prev[i] = i - 1;
            next[i] = i == n - 1 ? -1 : i + 1;
        }

        // Ranks become scores (lower rank = higher priority); SymbolPairHeap breaks ties leftmost. An entry is
        // stale once either side is gone or has changed id; then its pair no longer has the entry's rank.
        var alive = new bool[n];
        Array.Fill(alive, true);
        var heap = new SymbolPairHeap(n);
        void TryAdd(int left, int right)
        {
            if (left >= 0 && right >= 0 && _merges.TryGetValue(Key(ids[left], ids[right]), out var merge))
            {
                heap.Push(-merge.Rank, left, right, 0);
            }
        }

        for (var i = 0; i + 1 < n; i++)
        {
            TryAdd(i, i + 1);
        }

        while (heap.Count > 0)
        {
            var top = heap.Pop();
            if (!alive[top.Left] || !alive[top.Right] || next[top.Left] != top.Right
                || !_merges.TryGetValue(Key(ids[top.Left], ids[top.Right]), out var merge) || -merge.Rank != top.Score)
            {
                continue;
            }

            ids[top.Left] = merge.Merged;
            alive[top.Right] = false;
            next[top.Left] = next[top.Right];
            if (next[top.Right] >= 0)
            {
                prev[next[top.Right]] = top.Left;
            }

            TryAdd(prev[top.Left], top.Left);
            TryAdd(top.Left, next[top.Left]);
        }

        var result = new List<int>(n);
        for (var i = 0; i != -1; i = next[i])
        {
            result.Add(ids[i]);
        }

        return [.. result];
    }

    /// <summary>openai's SimpleTokenizer.bpe, line by line: find the lowest-ranked pair, merge all its occurrences, repeat.</summary>
    private int[] MergeReference(byte[] bytes)
    {
        var word = new List<string>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            var c = ByteLevelAlphabet.ByteToChar[bytes[i]].ToString();
            word.Add(i == bytes.Length - 1 ? c + "</w>" : c);
        }

        while (word.Count > 1)
        {
            (string, string)? best = null;
            var bestRank = int.MaxValue;
            for (var i = 0; i + 1 < word.Count; i++)
            {
                if (_mergeRanks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = (word[i], word[i + 1]);
                }
            }

            if (best is not var (first, second))
            {
                break;
            }

            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == first && word[i + 1] == second)
                {
                    merged.Add(first + second);
                    i += 2;
                }
                else
                {
                    merged.Add(word[i]);
                    i++;
                }
            }

            word = merged;
        }

        return [.. word.Select(w => _vocabulary[w])];
    }

    private int Lookup(string token, string source, string what) =>
        _vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new TokenizerFormatException(source, $"{what} \"{token}\" is not in the vocabulary.", null);

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
