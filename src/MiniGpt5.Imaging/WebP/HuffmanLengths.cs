namespace MiniGpt5.Imaging.WebP;

/// <summary>
/// Length-limited Huffman code lengths and canonical codes. When a plain Huffman tree is deeper than the limit,
/// small counts are raised and the tree rebuilt (libwebp's approach), which always converges.
/// </summary>
internal static class HuffmanLengths
{
    /// <summary>Code lengths for <paramref name="counts"/>, none longer than <paramref name="maxLength"/>; unused symbols get 0.</summary>
    public static byte[] Build(ReadOnlySpan<int> counts, int maxLength)
    {
        var lengths = new byte[counts.Length];
        var used = 0;
        foreach (var c in counts)
        {
            if (c > 0)
            {
                used++;
            }
        }

        if (used == 0)
        {
            return lengths;
        }

        if (used == 1)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] > 0)
                {
                    lengths[i] = 1;
                }
            }

            return lengths;
        }

        for (var floor = 1; ; floor *= 2)
        {
            if (TryBuild(counts, floor, maxLength, lengths))
            {
                return lengths;
            }
        }
    }

    /// <summary>Canonical codes (DEFLATE order: by length, then symbol), bit-reversed for LSB-first writing.</summary>
    public static ushort[] Codes(ReadOnlySpan<byte> lengths)
    {
        Span<int> countPerLength = stackalloc int[16];
        foreach (var l in lengths)
        {
            countPerLength[l]++;
        }

        countPerLength[0] = 0;
        Span<int> next = stackalloc int[16];
        var code = 0;
        for (var bits = 1; bits < 16; bits++)
        {
            code = (code + countPerLength[bits - 1]) << 1;
            next[bits] = code;
        }

        var codes = new ushort[lengths.Length];
        for (var s = 0; s < lengths.Length; s++)
        {
            var l = lengths[s];
            if (l != 0)
            {
                codes[s] = (ushort)Reverse(next[l]++, l);
            }
        }

        return codes;
    }

    private static int Reverse(int code, int length)
    {
        var r = 0;
        for (var i = 0; i < length; i++)
        {
            r = (r << 1) | ((code >> i) & 1);
        }

        return r;
    }

    private static bool TryBuild(ReadOnlySpan<int> counts, int floor, int maxLength, byte[] lengths)
    {
        // Nodes 0..n-1 are leaves (symbols); internal nodes follow. Parent links give depths.
        var n = counts.Length;
        var weight = new long[2 * n];
        var parent = new int[2 * n];
        var queue = new PriorityQueue<int, (long Weight, int Order)>();
        for (var s = 0; s < n; s++)
        {
            if (counts[s] > 0)
            {
                weight[s] = Math.Max(counts[s], floor);
                queue.Enqueue(s, (weight[s], s));
            }
        }

        var nextNode = n;
        while (queue.Count > 1)
        {
            var a = queue.Dequeue();
            var b = queue.Dequeue();
            weight[nextNode] = weight[a] + weight[b];
            parent[a] = nextNode;
            parent[b] = nextNode;
            queue.Enqueue(nextNode, (weight[nextNode], nextNode));
            nextNode++;
        }

        var root = nextNode - 1;
        for (var s = 0; s < n; s++)
        {
            if (counts[s] == 0)
            {
                lengths[s] = 0;
                continue;
            }

            var depth = 0;
            for (var node = s; node != root; node = parent[node])
            {
                depth++;
            }

            if (depth > maxLength)
            {
                return false;
            }

            lengths[s] = (byte)depth;
        }

        return true;
    }
}
