namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), slicing-by-8 over raw pointers (bounds
/// checks in the inner loop cost a factor of four). Checking a checkpoint costs about one extra read of it.
/// </summary>
internal static unsafe class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        fixed (uint* t = Table)
        fixed (byte* start = data)
        {
            var p = start;
            var end = start + data.Length;
            while (end - p >= 8)
            {
                var lo = c ^ *(uint*)p;
                var hi = *(uint*)(p + 4);
                c = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)] ^
                    t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)] ^
                    t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)] ^
                    t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
                p += 8;
            }

            while (p < end)
            {
                c = t[(c ^ *p++) & 0xFF] ^ (c >> 8);
            }
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
