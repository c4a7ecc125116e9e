namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// libjpeg's accurate integer forward DCT (jfdctint.c, jpeg_fdct_islow) and libjpeg-turbo's reciprocal
/// quantiser (jcdctmgr.c compute_reciprocal/quantize), so encoded coefficients equal libjpeg-turbo's.
/// </summary>
internal static class JpegForwardDct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    /// <summary>
    /// Per-coefficient (reciprocal, correction, shift) for one quantisation table: dividing by quant × 8 (the
    /// FDCT's output scale) with rounding, done as libjpeg-turbo does with 16-bit reciprocals.
    /// </summary>
    public static (ushort[] Reciprocal, ushort[] Correction, int[] Shift) Divisors(ReadOnlySpan<ushort> quantNatural)
    {
        var reciprocal = new ushort[64];
        var correction = new ushort[64];
        var shift = new int[64];
        for (var i = 0; i < 64; i++)
        {
            var divisor = (uint)(quantNatural[i] << 3);
            var b = 31 - System.Numerics.BitOperations.LeadingZeroCount(divisor);
            var r = 16 + b;
            var fq = (1u << r) / divisor;
            var fr = (1u << r) % divisor;
            var c = divisor / 2;
            if (fr == 0)
            {
                fq >>= 1;
                r--;
            }
            else if (fr <= divisor / 2)
            {
                c++;
            }
            else
            {
                fq++;
            }

            reciprocal[i] = (ushort)fq;
            correction[i] = (ushort)c;
            shift[i] = r;
        }

        return (reciprocal, correction, shift);
    }

    /// <summary>
    /// Transforms the 8×8 samples at <paramref name="samples"/> (row pitch <paramref name="stride"/>) and writes
    /// quantised coefficients in natural order to <paramref name="output"/>.
    /// </summary>
    public static void TransformAndQuantize(
        ReadOnlySpan<byte> samples, int stride, (ushort[] Reciprocal, ushort[] Correction, int[] Shift) divisors, Span<short> output)
    {
        Span<int> d = stackalloc int[64];
        for (var r = 0; r < 8; r++)
        {
            for (var c = 0; c < 8; c++)
            {
                d[(r * 8) + c] = samples[(r * stride) + c] - 128;
            }
        }

        // Pass 1: rows; results scaled up by sqrt(8) and 2**PASS1_BITS.
        for (var r = 0; r < 64; r += 8)
        {
            var tmp0 = d[r] + d[r + 7];
            var tmp7 = d[r] - d[r + 7];
            var tmp1 = d[r + 1] + d[r + 6];
            var tmp6 = d[r + 1] - d[r + 6];
            var tmp2 = d[r + 2] + d[r + 5];
            var tmp5 = d[r + 2] - d[r + 5];
            var tmp3 = d[r + 3] + d[r + 4];
            var tmp4 = d[r + 3] - d[r + 4];

            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            d[r] = (tmp10 + tmp11) << Pass1Bits;
            d[r + 4] = (tmp10 - tmp11) << Pass1Bits;
            var z1 = (tmp12 + tmp13) * 4433;
            d[r + 2] = Descale(z1 + (tmp13 * 6270), ConstBits - Pass1Bits);
            d[r + 6] = Descale(z1 + (tmp12 * -15137), ConstBits - Pass1Bits);

            Odd(tmp4, tmp5, tmp6, tmp7, out var o7, out var o5, out var o3, out var o1);
            d[r + 7] = Descale(o7, ConstBits - Pass1Bits);
            d[r + 5] = Descale(o5, ConstBits - Pass1Bits);
            d[r + 3] = Descale(o3, ConstBits - Pass1Bits);
            d[r + 1] = Descale(o1, ConstBits - Pass1Bits);
        }

        // Pass 2: columns; removes PASS1_BITS but leaves the overall factor of 8 for the quantiser.
        for (var c = 0; c < 8; c++)
        {
            var tmp0 = d[c] + d[56 + c];
            var tmp7 = d[c] - d[56 + c];
            var tmp1 = d[8 + c] + d[48 + c];
            var tmp6 = d[8 + c] - d[48 + c];
            var tmp2 = d[16 + c] + d[40 + c];
            var tmp5 = d[16 + c] - d[40 + c];
            var tmp3 = d[24 + c] + d[32 + c];
            var tmp4 = d[24 + c] - d[32 + c];

            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            d[c] = Descale(tmp10 + tmp11, Pass1Bits);
            d[32 + c] = Descale(tmp10 - tmp11, Pass1Bits);
            var z1 = (tmp12 + tmp13) * 4433;
            d[16 + c] = Descale(z1 + (tmp13 * 6270), ConstBits + Pass1Bits);
            d[48 + c] = Descale(z1 + (tmp12 * -15137), ConstBits + Pass1Bits);

            Odd(tmp4, tmp5, tmp6, tmp7, out var o7, out var o5, out var o3, out var o1);
            d[56 + c] = Descale(o7, ConstBits + Pass1Bits);
            d[40 + c] = Descale(o5, ConstBits + Pass1Bits);
            d[24 + c] = Descale(o3, ConstBits + Pass1Bits);
            d[8 + c] = Descale(o1, ConstBits + Pass1Bits);
        }

        for (var i = 0; i < 64; i++)
        {
            var value = d[i];
            var magnitude = (uint)Math.Abs(value);
            var q = (int)(((magnitude + divisors.Correction[i]) * divisors.Reciprocal[i]) >> divisors.Shift[i]);
            output[i] = (short)(value < 0 ? -q : q);
        }
    }

    private static void Odd(int tmp4, int tmp5, int tmp6, int tmp7, out int o7, out int o5, out int o3, out int o1)
    {
        var z1 = tmp4 + tmp7;
        var z2 = tmp5 + tmp6;
        var z3 = tmp4 + tmp6;
        var z4 = tmp5 + tmp7;
        var z5 = (z3 + z4) * 9633;

        tmp4 *= 2446;
        tmp5 *= 16819;
        tmp6 *= 25172;
        tmp7 *= 12299;
        z1 *= -7373;
        z2 *= -20995;
        z3 *= -16069;
        z4 *= -3196;

        z3 += z5;
        z4 += z5;

        o7 = tmp4 + z1 + z3;
        o5 = tmp5 + z2 + z4;
        o3 = tmp6 + z2 + z3;
        o1 = tmp7 + z1 + z4;
    }

    private static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;
}
