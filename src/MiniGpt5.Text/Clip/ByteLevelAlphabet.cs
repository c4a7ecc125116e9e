namespace MiniGpt5.Text.Clip;

/// <summary>
/// GPT-2/CLIP's bytes_to_unicode: every byte gets a printable character (printable Latin-1 bytes map to
/// themselves, the others to U+0100 upwards, in byte order), so byte strings can be BPE'd as text.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly int[] Printable =
        [.. Enumerable.Range('!', '~' - '!' + 1), .. Enumerable.Range('¡', '¬' - '¡' + 1), .. Enumerable.Range('®', 'ÿ' - '®' + 1)];

    /// <summary>Character of each byte value.</summary>
    public static readonly char[] ByteToChar = Build();

    /// <summary>All 256 characters in bytes_to_unicode's order (the first 256 entries of CLIP's vocabulary).</summary>
    public static readonly char[] InVocabularyOrder =
        [.. Printable.Select(b => (char)b), .. Enumerable.Range(0, 256).Where(b => !Printable.Contains(b)).Select(b => ByteToChar[b])];

    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    public static bool TryGetByte(char c, out byte value) => CharToByte.TryGetValue(c, out value);

    private static char[] Build()
    {
        var printable = Printable.ToHashSet();
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            map[b] = printable.Contains(b) ? (char)b : (char)next++;
        }

        return map;
    }
}
