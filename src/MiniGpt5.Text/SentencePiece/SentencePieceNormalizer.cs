namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// SentencePiece's Normalizer::Normalize on UTF-16 text: optional precompiled rules (longest match), user-defined
/// symbols copied as they are, the dummy prefix, whitespace escaping to U+2581 and (optionally) removal of
/// leading, trailing and repeated spaces; with an alignment back to the input.
/// An unpaired surrogate is treated as U+FFFD, as SentencePiece treats a malformed UTF-8 byte.
/// </summary>
internal sealed class SentencePieceNormalizer
{
    public const char SpaceSymbol = '\u2581';

    private readonly SentencePieceNormalizerSpec _spec;
    private readonly bool _treatWhitespaceAsSuffix;
    private readonly PrecompiledCharsMap? _charsMap;
    private readonly PieceMatcher? _userDefined;

    public SentencePieceNormalizer(SentencePieceNormalizerSpec spec, bool treatWhitespaceAsSuffix, PieceMatcher? userDefined, string source)
    {
        _spec = spec;
        _treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        _charsMap = spec.PrecompiledCharsMap.IsEmpty ? null : new PrecompiledCharsMap(spec.PrecompiledCharsMap.Span, source);
        _userDefined = userDefined is { IsEmpty: false } ? userDefined : null;
    }

    /// <summary>Normalizes <paramref name="input"/>.</summary>
    public NormalizedText Normalize(ReadOnlySpan<char> input)
    {
        if (input.IsEmpty)
        {
            return new NormalizedText([], 0, [0]);
        }

        var withPrefix = _spec.AddDummyPrefix;
        var output = new Builder(input.Length + 2);
        var consumed = 0;

        if (_spec.RemoveExtraWhitespaces)
        {
            while (consumed < input.Length)
            {
                var rep = NormalizePrefix(input[consumed..], out var length);
                if (rep is not [' '])
                {
                    break;
                }

                consumed += length;
            }

            if (consumed == input.Length)
            {
                return new NormalizedText([], 0, [consumed]);
            }
        }

        if (!_treatWhitespaceAsSuffix && withPrefix)
        {
            output.AddSpace(consumed, _spec.EscapeWhitespaces);
        }

        var isPrevSpace = _spec.RemoveExtraWhitespaces;
        while (consumed < input.Length)
        {
            var sp = NormalizePrefix(input[consumed..], out var length);
            while (isPrevSpace && sp.Length > 0 && sp[0] == ' ')
            {
                sp = sp[1..];
            }

            if (!sp.IsEmpty)
            {
                foreach (var c in sp)
                {
                    if (c == ' ' && _spec.EscapeWhitespaces)
                    {
                        output.Add(SpaceSymbol, consumed);
                    }
                    else
                    {
                        output.Add(c, consumed);
                    }
                }

                isPrevSpace = sp[^1] == ' ';
            }

            consumed += length;
            if (!_spec.RemoveExtraWhitespaces)
            {
                isPrevSpace = false;
            }
        }

        if (_spec.RemoveExtraWhitespaces)
        {
            var space = _spec.EscapeWhitespaces ? SpaceSymbol : ' ';
            while (output.Length > 0 && output.Chars[output.Length - 1] == space)
            {
                output.Length--;
                consumed = output.Map[output.Length];
            }
        }

        if (_treatWhitespaceAsSuffix && withPrefix)
        {
            output.AddSpace(consumed, _spec.EscapeWhitespaces);
        }

        return output.Finish(consumed);
    }

    /// <summary>
    /// The replacement for the longest normalization unit at the start of <paramref name="input"/> and how many
    /// UTF-16 units it consumes: a user-defined symbol as it is, else the longest charsmap rule, else one
    /// character (an unpaired surrogate becomes U+FFFD).
    /// </summary>
    private ReadOnlySpan<char> NormalizePrefix(ReadOnlySpan<char> input, out int length)
    {
        if (_userDefined is not null)
        {
            length = _userDefined.LongestMatch(input);
            if (length > 0)
            {
                return input[..length];
            }
        }

        if (_charsMap is not null)
        {
            length = _charsMap.LongestMatch(input, out var replacement);
            if (length > 0)
            {
                return replacement;
            }
        }

        var c = input[0];
        if (char.IsHighSurrogate(c) && input.Length > 1 && char.IsLowSurrogate(input[1]))
        {
            length = 2;
            return input[..2];
        }

        length = 1;
        return char.IsSurrogate(c) ? "\uFFFD" : input[..1];
    }

    /// <summary>Growable output buffer with its alignment (one entry per char, plus one at the end).</summary>
    private sealed class Builder(int capacity)
    {
        public char[] Chars { get; private set; } = new char[capacity];

        public int[] Map { get; private set; } = new int[capacity + 1];

        public int Length { get; set; }

        public void Add(char c, int original)
        {
            if (Length + 1 >= Chars.Length)
            {
                var chars = Chars;
                var map = Map;
                Array.Resize(ref chars, chars.Length * 2 + 4);
                Array.Resize(ref map, chars.Length + 1);
                Chars = chars;
                Map = map;
            }

            Chars[Length] = c;
            Map[Length] = original;
            Length++;
        }

        public void AddSpace(int original, bool escape) => Add(escape ? SpaceSymbol : ' ', original);

        /// <summary>Closes the alignment with the end of the consumed input.</summary>
        public NormalizedText Finish(int consumed)
        {
            Map[Length] = consumed;
            return new NormalizedText(Chars, Length, Map);
        }
    }
}
