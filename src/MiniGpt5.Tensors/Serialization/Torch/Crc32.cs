namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), slicing-by-8 so that checking a multi-GB
/// checkpoint costs about as much as reading it.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        var table = Table;
        while (data.Length >= 8)
        {
            var lo = c ^ (uint)(data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24));
            var hi = (uint)(data[4] | (data[5] << 8) | (data[6] << 16) | (data[7] << 24));
            c = table[(7 * 256) + (lo & 0xFF)] ^ table[(6 * 256) + ((lo >> 8) & 0xFF)] ^
                table[(5 * 256) + ((lo >> 16) & 0xFF)] ^ table[(4 * 256) + (lo >> 24)] ^
                table[(3 * 256) + (hi & 0xFF)] ^ table[(2 * 256) + ((hi >> 8) & 0xFF)] ^
                table[256 + ((hi >> 16) & 0xFF)] ^ table[hi >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            c = table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        for (var i = 256; i < table.Length; i++)
        {
            table[i] = table[table[i - 256] & 0xFF] ^ (table[i - 256] >> 8);
        }

        return table;
    }
}
