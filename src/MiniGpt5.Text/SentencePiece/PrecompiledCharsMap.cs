using System.Buffers.Binary;
using System.Text;

namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// SentencePiece's precompiled normalization rules (NormalizerSpec.precompiled_charsmap): a little-endian
/// uint32 trie size, a Darts-clone double-array trie over UTF-8 keys, then the replacement strings,
/// NUL-terminated, addressed by the trie values. Lookups take the longest rule matching at a position, as
/// Normalizer::NormalizePrefix does.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _units;
    private readonly Dictionary<int, string> _replacements;
    private readonly byte[] _tail;

    public PrecompiledCharsMap(ReadOnlySpan<byte> blob, string source)
    {
        if (blob.Length <= 4)
        {
            throw new TokenizerFormatException(source, "precompiled_charsmap is too short to hold a trie.", null);
        }

        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize >= blob.Length - 4 || trieSize % 4 != 0)
        {
            throw new TokenizerFormatException(source, $"precompiled_charsmap trie size {trieSize} does not fit its {blob.Length}-byte blob.", null);
        }

        var trie = blob.Slice(4, (int)trieSize);
        _units = new uint[trie.Length / 4];
        for (var i = 0; i < _units.Length; i++)
        {
            _units[i] = BinaryPrimitives.ReadUInt32LittleEndian(trie.Slice(i * 4, 4));
        }

        // Every trie value is the offset of a NUL-terminated string in this tail; index them all up front so
        // lookups neither allocate nor need a lock.
        var tail = blob[(4 + (int)trieSize)..];
        _tail = tail.ToArray();
        _replacements = [];
        var start = 0;
        for (var i = 0; i <= tail.Length; i++)
        {
            if (i == tail.Length || tail[i] == 0)
            {
                _replacements[start] = Encoding.UTF8.GetString(tail[start..i]);
                start = i + 1;
            }
        }
    }

    /// <summary>
    /// The longest rule whose key is a prefix of <paramref name="input"/> (compared as UTF-8; an unpaired
    /// surrogate counts as U+FFFD). Returns the number of UTF-16 units the key covers, or 0 when none matches.
    /// </summary>
    public int LongestMatch(ReadOnlySpan<char> input, out string replacement)
    {
        replacement = string.Empty;
        var matchedChars = 0;
        var matchedValue = -1;
        if (_units.Length == 0)
        {
            return 0;
        }

        Span<byte> utf8 = stackalloc byte[4];
        long node = Offset(_units[0]);
        var charIndex = 0;
        while (charIndex < input.Length)
        {
            var width = 1;
            Rune rune;
            if (char.IsHighSurrogate(input[charIndex]) && charIndex + 1 < input.Length && char.IsLowSurrogate(input[charIndex + 1]))
            {
                rune = new Rune(input[charIndex], input[charIndex + 1]);
                width = 2;
            }
            else
            {
                rune = char.IsSurrogate(input[charIndex]) ? Rune.ReplacementChar : new Rune(input[charIndex]);
            }

            var byteCount = rune.EncodeToUtf8(utf8);
            for (var b = 0; b < byteCount; b++)
            {
                node ^= utf8[b];
                if (node < 0 || node >= _units.Length)
                {
                    return Finish(matchedValue, matchedChars, out replacement);
                }

                var unit = _units[node];
                if (Label(unit) != utf8[b])
                {
                    return Finish(matchedValue, matchedChars, out replacement);
                }

                node ^= Offset(unit);
                if (node < 0 || node >= _units.Length)
                {
                    return Finish(matchedValue, matchedChars, out replacement);
                }

                if (HasLeaf(unit) && b == byteCount - 1)
                {
                    matchedValue = (int)Value(_units[node]);
                    matchedChars = charIndex + width;
                }
            }

            charIndex += width;
        }

        return Finish(matchedValue, matchedChars, out replacement);
    }

    private int Finish(int matchedValue, int matchedChars, out string replacement)
    {
        if (matchedValue < 0)
        {
            replacement = string.Empty;
            return 0;
        }

        replacement = _replacements.TryGetValue(matchedValue, out var value) ? value : DecodeFrom(matchedValue);
        return matchedChars;
    }

    // A value that points inside a string means "from here to the NUL", as the C++ reads it.
    private string DecodeFrom(int offset)
    {
        if (offset >= _tail.Length)
        {
            return string.Empty;
        }

        var end = Array.IndexOf(_tail, (byte)0, offset);
        return Encoding.UTF8.GetString(_tail, offset, (end < 0 ? _tail.Length : end) - offset);
    }

    // Darts-clone DoubleArrayUnit accessors.
    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Value(uint unit) => unit & ((1U << 31) - 1);

    private static uint Label(uint unit) => unit & ((1U << 31) | 0xFF);

    private static long Offset(uint unit) => (unit >> 10) << (int)((unit & (1U << 9)) >> 6);
}
