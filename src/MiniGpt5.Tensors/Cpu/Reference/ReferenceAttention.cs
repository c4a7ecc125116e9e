using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Attention with the full score matrix in double precision, and rotary embeddings.</summary>
internal static unsafe class ReferenceAttention
{
    public static void ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor output, AttentionAttributes p)
    {
        var layout = AttentionLayout.Create(q, k, v, mask, output, p.EnableGqa);
        var scores = new double[layout.S];
        var row = new double[layout.Ev];
        for (var b = 0; b < layout.BatchCount; b++)
        {
            for (var i = 0; i < layout.L; i++)
            {
                var limit = layout.CausalLimit(i, p.IsCausal, p.CausalVariant);
                var max = double.NegativeInfinity;
                for (var j = 0; j < layout.S; j++)
                {
                    double dot = 0;
                    for (var e = 0; e < layout.E; e++)
                    {
                        dot += Load(q, layout.QOffsets[b] + (i * layout.QRow) + (e * layout.QCol))
                            * Load(k, layout.KOffsets[b] + (j * layout.KRow) + (e * layout.KCol));
                    }

                    var score = dot * p.Scale;
                    if (j >= limit)
                    {
                        score = double.NegativeInfinity;
                    }
                    else if (mask is not null)
                    {
                        var m = Load(mask, layout.MaskOffsets![b] + (i * layout.MaskRow) + (j * layout.MaskCol));
                        score = mask.DType == DType.Bool ? (m != 0 ? score : double.NegativeInfinity) : score + m;
                    }

                    scores[j] = score;
                    max = Math.Max(max, score);
                }

                double sum = 0;
                for (var j = 0; j < layout.S; j++)
                {
                    // A row with every key masked has max = -inf and yields NaN, as PyTorch's math path does.
                    scores[j] = Math.Exp(scores[j] - max);
                    sum += scores[j];
                }

                Array.Clear(row);
                for (var j = 0; j < layout.S; j++)
                {
                    var weight = scores[j] / sum;
                    for (var e = 0; e < layout.Ev; e++)
                    {
                        row[e] += weight * Load(v, layout.VOffsets[b] + (j * layout.VRow) + (e * layout.VCol));
                    }
                }

                for (var e = 0; e < layout.Ev; e++)
                {
                    var pointer = (byte*)output.DataPointer + ((layout.OOffsets[b] + (i * layout.ORow) + (e * layout.OCol)) * output.DType.SizeOf());
                    RefTensor.StoreDouble(pointer, output.DType, row[e]);
                }
            }
        }
    }

    /// <summary>
    /// HF LLaMA rotary embedding (rotate-half): out = x·cos + rotate_half(x)·sin, with the HF float32 tables
    /// (inv_freq = 1/base^(2i/D), angle = position·inv_freq) rounded to x's dtype and every product and the sum
    /// rounded to x's dtype, as the PyTorch expression does. x is [B, H, T, D]; positions are [T] or [B, T].
    /// </summary>
    public static void Rope(Tensor x, Tensor positions, Tensor output, RopeAttributes p)
    {
        int batch = x.Shape[0], heads = x.Shape[1], length = x.Shape[2], dim = x.Shape[3];
        var half = dim / 2;
        var values = RefTensor.ReadDouble(x);
        var ids = RefTensor.ReadLong(positions);
        var result = new double[values.Length];
        var dtype = x.DType;
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < length; t++)
            {
                var position = positions.Rank == 1 ? ids[t] : ids[(b * length) + t];
                for (var i = 0; i < half; i++)
                {
                    var (cos, sin) = RotaryTable.CosSin(position, i, dim, p.Base);
                    var c = RefTensor.RoundTo(dtype, cos);
                    var s = RefTensor.RoundTo(dtype, sin);
                    for (var h = 0; h < heads; h++)
                    {
                        var baseIndex = (((((b * heads) + h) * length) + t) * dim);
                        var x1 = values[baseIndex + i];
                        var x2 = values[baseIndex + i + half];
                        result[baseIndex + i] = RefTensor.RoundTo(dtype, RefTensor.RoundTo(dtype, x1 * c) + RefTensor.RoundTo(dtype, -x2 * s));
                        result[baseIndex + i + half] = RefTensor.RoundTo(dtype, RefTensor.RoundTo(dtype, x2 * c) + RefTensor.RoundTo(dtype, x1 * s));
                    }
                }
            }
        }

        RefTensor.Write(output, result);
    }

    private static double Load(Tensor tensor, long offset) =>
        RefTensor.LoadDouble((byte*)tensor.DataPointer + (offset * tensor.DType.SizeOf()), tensor.DType);
}
