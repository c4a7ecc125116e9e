using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Storage.Local;

/// <summary>
/// Maps a blob name (any unicode, spaces, '/') to one flat file name that is safe on every file system we run
/// on, and back. The encoded form uses only lowercase ASCII, digits and <c>- _ . ^ %</c>, so two names never
/// collide on a case-insensitive file system (macOS, Windows): an uppercase letter becomes '^' + its lowercase,
/// anything outside <c>[a-z0-9-_.]</c> becomes '%' + two lowercase hex digits per UTF-8 byte, and a trailing
/// '.' is escaped (Windows drops it). No separator survives, so no name can leave the container folder.
/// Names whose encoding would pass <see cref="MaxEncodedLength"/> characters use a SHA-256 of the name instead
/// (the record inside the file keeps the real name).
/// </summary>
internal static class LocalNameCodec
{
    /// <summary>Prefix of a record file whose name is the escaped blob name. A letter first keeps Windows device names (CON, NUL) away.</summary>
    public const string EscapedPrefix = "b.";

    /// <summary>Prefix of a record file named by the SHA-256 of a long blob name.</summary>
    public const string HashedPrefix = "h.";

    /// <summary>File names stay well under the usual 255-byte limit.</summary>
    public const int MaxEncodedLength = 200;

    /// <summary>The record file name for a blob name.</summary>
    public static string Encode(string name)
    {
        var builder = new StringBuilder(EscapedPrefix, name.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' || (c == '.' && i < name.Length - 1))
            {
                builder.Append(c);
            }
            else if (c is >= 'A' and <= 'Z')
            {
                builder.Append('^').Append((char)(c + ('a' - 'A')));
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < name.Length
                    ? Encoding.UTF8.GetBytes(name.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(name.AsSpan(i, 1), utf8);
                foreach (var b in utf8[..length])
                {
                    builder.Append('%').Append(HexLower(b >> 4)).Append(HexLower(b & 0xF));
                }
            }

            if (builder.Length > MaxEncodedLength + EscapedPrefix.Length)
            {
                return Hashed(name);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The blob name a record file name encodes, or null when the file is named by hash (read the record for
    /// the name) or is not a record file at all.
    /// </summary>
    public static string? TryDecode(string fileName)
    {
        if (!fileName.StartsWith(EscapedPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var bytes = new List<byte>(fileName.Length);
        for (var i = EscapedPrefix.Length; i < fileName.Length; i++)
        {
            var c = fileName[i];
            if (c == '^' && i + 1 < fileName.Length)
            {
                bytes.Add((byte)(fileName[++i] - ('a' - 'A')));
            }
            else if (c == '%' && i + 2 < fileName.Length)
            {
                bytes.Add((byte)((HexValue(fileName[i + 1]) << 4) | HexValue(fileName[i + 2])));
                i += 2;
            }
            else
            {
                bytes.Add((byte)c);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>True for a record file named by hash.</summary>
    public static bool IsHashed(string fileName) => fileName.StartsWith(HashedPrefix, StringComparison.Ordinal);

    private static string Hashed(string name) =>
        HashedPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private static char HexLower(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new FormatException($"'{c}' is not a hex digit in an encoded blob file name."),
    };
}
