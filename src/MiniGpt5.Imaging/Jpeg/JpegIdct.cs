namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// libjpeg's accurate integer inverse DCT (jidctint.c, jpeg_idct_islow: Loeffler–Ligtenberg–Moschytz with
/// 13-bit constants and 2 extra bits between passes), including its dequantisation and its output range-limit
/// table, so decoded samples equal libjpeg-turbo's bit for bit.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    private const int Fix0_298631336 = 2446;
    private const int Fix0_390180644 = 3196;
    private const int Fix0_541196100 = 4433;
    private const int Fix0_765366865 = 6270;
    private const int Fix0_899976223 = 7373;
    private const int Fix1_175875602 = 9633;
    private const int Fix1_501321110 = 12299;
    private const int Fix1_847759065 = 15137;
    private const int Fix1_961570560 = 16069;
    private const int Fix2_053119869 = 16819;
    private const int Fix2_562915447 = 20995;
    private const int Fix3_072711026 = 25172;

    /// <summary>
    /// Dequantises and inverse-transforms one 8×8 block of coefficients (natural order) into 8×8 samples at
    /// <paramref name="output"/> with row pitch <paramref name="stride"/>.
    /// </summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        Span<int> ws = stackalloc int[64];

        // Pass 1: columns from input into the workspace, scaled up by 2**PASS1_BITS.
        for (var c = 0; c < 8; c++)
        {
            if (coefficients[8 + c] == 0 && coefficients[16 + c] == 0 && coefficients[24 + c] == 0 && coefficients[32 + c] == 0
                && coefficients[40 + c] == 0 && coefficients[48 + c] == 0 && coefficients[56 + c] == 0)
            {
                var dc = coefficients[c] * quant[c] << Pass1Bits;
                for (var r = 0; r < 8; r++)
                {
                    ws[(r * 8) + c] = dc;
                }

                continue;
            }

            int z2 = coefficients[16 + c] * quant[16 + c];
            int z3 = coefficients[48 + c] * quant[48 + c];
            var z1 = (z2 + z3) * Fix0_541196100;
            var tmp2 = z1 + (z3 * -Fix1_847759065);
            var tmp3 = z1 + (z2 * Fix0_765366865);

            z2 = coefficients[c] * quant[c];
            z3 = coefficients[32 + c] * quant[32 + c];
            var tmp0 = (z2 + z3) << ConstBits;
            var tmp1 = (z2 - z3) << ConstBits;

            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            tmp0 = coefficients[56 + c] * quant[56 + c];
            tmp1 = coefficients[40 + c] * quant[40 + c];
            tmp2 = coefficients[24 + c] * quant[24 + c];
            tmp3 = coefficients[8 + c] * quant[8 + c];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            const int shift = ConstBits - Pass1Bits;
            ws[c] = Descale(tmp10 + tmp3, shift);
            ws[56 + c] = Descale(tmp10 - tmp3, shift);
            ws[8 + c] = Descale(tmp11 + tmp2, shift);
            ws[48 + c] = Descale(tmp11 - tmp2, shift);
            ws[16 + c] = Descale(tmp12 + tmp1, shift);
            ws[40 + c] = Descale(tmp12 - tmp1, shift);
            ws[24 + c] = Descale(tmp13 + tmp0, shift);
            ws[32 + c] = Descale(tmp13 - tmp0, shift);
        }

        // Pass 2: rows from the workspace to output samples, removing PASS1_BITS and the factor 8.
        for (var r = 0; r < 8; r++)
        {
            var w = ws.Slice(r * 8, 8);
            var o = output.Slice(r * stride, 8);
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                o.Fill(RangeLimit(Descale(w[0], Pass1Bits + 3)));
                continue;
            }

            int z2 = w[2], z3 = w[6];
            var z1 = (z2 + z3) * Fix0_541196100;
            var tmp2 = z1 + (z3 * -Fix1_847759065);
            var tmp3 = z1 + (z2 * Fix0_765366865);

            var tmp0 = (w[0] + w[4]) << ConstBits;
            var tmp1 = (w[0] - w[4]) << ConstBits;

            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            tmp0 = w[7];
            tmp1 = w[5];
            tmp2 = w[3];
            tmp3 = w[1];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            const int shift = ConstBits + Pass1Bits + 3;
            o[0] = RangeLimit(Descale(tmp10 + tmp3, shift));
            o[7] = RangeLimit(Descale(tmp10 - tmp3, shift));
            o[1] = RangeLimit(Descale(tmp11 + tmp2, shift));
            o[6] = RangeLimit(Descale(tmp11 - tmp2, shift));
            o[2] = RangeLimit(Descale(tmp12 + tmp1, shift));
            o[5] = RangeLimit(Descale(tmp12 - tmp1, shift));
            o[3] = RangeLimit(Descale(tmp13 + tmp0, shift));
            o[4] = RangeLimit(Descale(tmp13 - tmp0, shift));
        }
    }

    /// <summary>The odd part (figure 8 of the paper); on entry tmp0..3 are y7, y5, y3, y1.</summary>
    private static void Odd(ref int tmp0, ref int tmp1, ref int tmp2, ref int tmp3)
    {
        var z1 = tmp0 + tmp3;
        var z2 = tmp1 + tmp2;
        var z3 = tmp0 + tmp2;
        var z4 = tmp1 + tmp3;
        var z5 = (z3 + z4) * Fix1_175875602;

        tmp0 *= Fix0_298631336;
        tmp1 *= Fix2_053119869;
        tmp2 *= Fix3_072711026;
        tmp3 *= Fix1_501321110;
        z1 *= -Fix0_899976223;
        z2 *= -Fix2_562915447;
        z3 *= -Fix1_961570560;
        z4 *= -Fix0_390180644;

        z3 += z5;
        z4 += z5;

        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }

    private static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;

    /// <summary>
    /// libjpeg's post-IDCT range limit: the value is taken modulo 1024 into -512..511, shifted by +128 and
    /// clamped to 0..255 (prepare_range_limit_table with RANGE_MASK).
    /// </summary>
    private static byte RangeLimit(int x)
    {
        var v = ((x & 1023) ^ 512) - 512;
        return (byte)Math.Clamp(v + 128, 0, 255);
    }
}
