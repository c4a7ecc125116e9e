using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Fused scaled-dot-product attention with an online softmax (FlashAttention's recurrence on the CPU). Keys and
/// values of every (batch·head) are first packed once into GEMM panels (Kᵀ as B panels of E×NR, V as B panels per
/// key block), shared by all of that head's query blocks. Then for each (batch·head, block of queries), with Q
/// packed and pre-scaled, the keys are visited in blocks: the score tile S = (Q·scale)·Kᵀ comes from the GEMM
/// micro-kernel, the running row max m and sum l are updated, the accumulated output is rescaled by
/// exp(m_old - m_new), P is packed with register transposes and P·V is added with the micro-kernel again. Only a
/// Bq×Bk score tile ever exists. A handful of queries (decoding) takes a row path: dot products against each key,
/// same recurrence. Everything is float32; fully masked rows give NaN, as in PyTorch.
/// </summary>
internal static unsafe class AttentionKernel
{
    /// <summary>Below this many queries the row path is used.</summary>
    private const int RowPathQueries = 4;

    /// <summary>Keys per block of the row path.</summary>
    private const int RowBlock = 256;

    /// <summary>Query rows per task: 8 register-tile rows of A.</summary>
    private const int QueryPanels = 8;

    /// <summary>Keys per block: 8 NR panels (a 64×256 score tile, 64 KB, stays in L2).</summary>
    private const int KeyPanels = 8;

    public static void Run(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor output, AttentionAttributes p)
    {
        var layout = AttentionLayout.Create(q, k, v, mask, output, p.EnableGqa);
        var context = new Context(q, k, v, mask, output, p, layout);
        if (layout.L < RowPathQueries)
        {
            CpuParallel.For((long)layout.BatchCount * layout.L, (double)layout.S * (layout.E + layout.Ev) * 2, (start, end) =>
            {
                for (var task = start; task < end; task++)
                {
                    RowPath(context, (int)(task / layout.L), (int)(task % layout.L));
                }
            });
            return;
        }

        var micro = MicroKernel.Best;
        var shape = new BlockShape(micro, layout);
        var packed = PinnedScratch.Get(PinnedScratch.Slot.AttentionKeys, layout.BatchCount * shape.PerHead);
        CpuParallel.For(layout.BatchCount, (double)layout.S * (layout.E + layout.Ev), (start, end) =>
        {
            for (var head = (int)start; head < end; head++)
            {
                PackKeysAndValues(context, shape, head, packed + (head * shape.PerHead));
            }
        });

        var queryBlocks = (layout.L + shape.BlockQueries - 1) / shape.BlockQueries;
        CpuParallel.For((long)layout.BatchCount * queryBlocks, (double)shape.BlockQueries * layout.S * (layout.E + layout.Ev) * 2, (start, end) =>
        {
            for (var task = start; task < end; task++)
            {
                var head = (int)(task / queryBlocks);
                BlockPath(context, shape, head, (int)(task % queryBlocks) * shape.BlockQueries, packed + (head * shape.PerHead));
            }
        });
    }

    /// <summary>Kᵀ of one head as NR-column B panels of depth E (panel p = keys p·NR..), then V as B panels per key
    /// block (block b, value panel c: keys_b × NR floats at b·BlockKeys·EvPadded + c·keys_b·NR).</summary>
    private static void PackKeysAndValues(Context c, BlockShape shape, int head, float* destination)
    {
        var layout = c.Layout;
        int nr = shape.Nr, e = layout.E, ev = layout.Ev, s = layout.S;
        var kMatrix = new StridedMatrix(c.K + (layout.KOffsets[head] * c.KSize), c.KType, layout.KCol, layout.KRow);
        for (var panel = 0; panel < shape.KeyPanelsTotal; panel++)
        {
            kMatrix.PackB(0, e, panel * nr, Math.Min(nr, s - (panel * nr)), nr, destination + ((long)panel * nr * e));
        }

        var values = destination + shape.KeysSize;
        for (var firstKey = 0; firstKey < s; firstKey += shape.BlockKeys)
        {
            var keys = Math.Min(shape.BlockKeys, s - firstKey);
            var block = values + ((long)firstKey * shape.EvPadded);
            var vMatrix = new StridedMatrix(c.V + ((layout.VOffsets[head] + (firstKey * layout.VRow)) * c.VSize), c.VType, layout.VRow, layout.VCol);
            for (var panel = 0; panel < shape.EvPadded / nr; panel++)
            {
                vMatrix.PackB(0, keys, panel * nr, Math.Min(nr, ev - (panel * nr)), nr, block + ((long)panel * keys * nr));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockPath(Context c, BlockShape shape, int batch, int firstQuery, float* packedHead)
    {
        var layout = c.Layout;
        int mr = shape.Mr, nr = shape.Nr, e = layout.E, ev = layout.Ev, blockQueries = shape.BlockQueries, blockKeys = shape.BlockKeys;
        var evPadded = shape.EvPadded;
        var rows = Math.Min(blockQueries, layout.L - firstQuery);
        var rowPanels = (rows + mr - 1) / mr;
        var tile = shape.Tile;

        // Scratch: packed Q, score tile, packed P, output accumulator, row max, row sum.
        long[] sizes = [(long)blockQueries * e, (long)blockQueries * blockKeys, (long)blockQueries * blockKeys, (long)blockQueries * evPadded, blockQueries, blockQueries];
        long total = 0;
        foreach (var size in sizes)
        {
            total += (size + 15) & ~15;
        }

        var qPacked = PinnedScratch.Get(PinnedScratch.Slot.Attention, total);
        var scores = qPacked + ((sizes[0] + 15) & ~15);
        var pPacked = scores + ((sizes[1] + 15) & ~15);
        var accumulator = pPacked + ((sizes[2] + 15) & ~15);
        var rowMax = accumulator + ((sizes[3] + 15) & ~15);
        var rowSum = rowMax + ((sizes[4] + 15) & ~15);

        var qMatrix = new StridedMatrix(c.Q + ((layout.QOffsets[batch] + (firstQuery * layout.QRow)) * c.QSize), c.QType, layout.QRow, layout.QCol);
        for (var panel = 0; panel < rowPanels; panel++)
        {
            qMatrix.PackA(panel * mr, Math.Min(mr, rows - (panel * mr)), 0, e, mr, qPacked + (panel * mr * e));
        }

        // S = (Q·scale)·Kᵀ: the scale rides on the packed queries.
        var scale = (float)c.Attributes.Scale;
        var packedQueries = new Span<float>(qPacked, rowPanels * mr * e);
        TensorPrimitives.Multiply(packedQueries, scale, packedQueries);

        new Span<float>(accumulator, blockQueries * evPadded).Clear();
        new Span<float>(rowMax, blockQueries).Fill(float.NegativeInfinity);
        new Span<float>(rowSum, blockQueries).Clear();
        var lastLimit = layout.CausalLimit(firstQuery + rows - 1, c.Attributes.IsCausal, c.Attributes.CausalVariant);
        for (var firstKey = 0; firstKey < lastLimit; firstKey += blockKeys)
        {
            var keys = Math.Min(blockKeys, layout.S - firstKey);
            var keyPanels = (keys + nr - 1) / nr;
            var kPanels = packedHead + ((long)(firstKey / nr) * nr * e);
            for (var rp = 0; rp < rowPanels; rp++)
            {
                for (var cp = 0; cp < keyPanels; cp++)
                {
                    tile(e, qPacked + (rp * mr * e), kPanels + (cp * nr * e), scores + (rp * mr * blockKeys) + (cp * nr), blockKeys, false);
                }
            }

            for (var i = 0; i < rows; i++)
            {
                var row = new Span<float>(scores + (i * blockKeys), keys);
                var limit = layout.CausalLimit(firstQuery + i, c.Attributes.IsCausal, c.Attributes.CausalVariant) - firstKey;
                c.ApplyMask(batch, firstQuery + i, firstKey, row, limit);
                Update(row, ref rowMax[i], ref rowSum[i], new Span<float>(accumulator + (i * evPadded), evPadded));
            }

            // P·V, accumulated into the output rows (already rescaled by Update).
            for (var rp = 0; rp < rowPanels; rp++)
            {
                GemmPacking.Interleave(scores + (rp * mr * blockKeys), blockKeys, Math.Min(mr, rows - (rp * mr)), keys, mr, pPacked + (rp * mr * keys));
            }

            var vBlock = packedHead + shape.KeysSize + ((long)firstKey * evPadded);
            var valuePanels = evPadded / nr;
            for (var rp = 0; rp < rowPanels; rp++)
            {
                for (var cp = 0; cp < valuePanels; cp++)
                {
                    tile(keys, pPacked + (rp * mr * keys), vBlock + (cp * keys * nr), accumulator + (rp * mr * evPadded) + (cp * nr), evPadded, true);
                }
            }
        }

        for (var i = 0; i < rows; i++)
        {
            var result = new Span<float>(accumulator + (i * evPadded), ev);
            TensorPrimitives.Divide(result, rowSum[i], result);
            c.Store(batch, firstQuery + i, result);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPath(Context c, int batch, int query)
    {
        var layout = c.Layout;
        int e = layout.E, ev = layout.Ev;
        var buffer = PinnedScratch.Get(PinnedScratch.Slot.Attention, e + RowBlock + ev + (RowBlock * Math.Max(e, ev)) + 64);
        var queryRow = new Span<float>(buffer, e);
        var scores = new Span<float>(buffer + e, RowBlock);
        var accumulator = new Span<float>(buffer + e + RowBlock, ev);
        var keyRows = buffer + e + RowBlock + ev;
        DTypeConvert.Load(c.Q + ((layout.QOffsets[batch] + (query * layout.QRow)) * c.QSize), c.QType, layout.QCol, queryRow);
        accumulator.Clear();
        var max = float.NegativeInfinity;
        var sum = 0f;
        var limit = layout.CausalLimit(query, c.Attributes.IsCausal, c.Attributes.CausalVariant);
        var scale = (float)c.Attributes.Scale;
        for (var firstKey = 0; firstKey < limit; firstKey += RowBlock)
        {
            var keys = Math.Min(RowBlock, layout.S - firstKey);
            var block = scores[..keys];
            for (var j = 0; j < keys; j++)
            {
                var key = new Span<float>(keyRows + (j * e), e);
                DTypeConvert.Load(c.K + ((layout.KOffsets[batch] + ((firstKey + j) * layout.KRow)) * c.KSize), c.KType, layout.KCol, key);
                block[j] = TensorPrimitives.Dot(queryRow, key) * scale;
            }

            c.ApplyMask(batch, query, firstKey, block, limit - firstKey);
            Update(block, ref max, ref sum, accumulator);
            for (var j = 0; j < keys; j++)
            {
                if (block[j] == 0)
                {
                    continue;
                }

                var value = new Span<float>(keyRows + (j * ev), ev);
                DTypeConvert.Load(c.V + ((layout.VOffsets[batch] + ((firstKey + j) * layout.VRow)) * c.VSize), c.VType, layout.VCol, value);
                TensorPrimitives.MultiplyAdd(value, block[j], accumulator, accumulator);
            }
        }

        TensorPrimitives.Divide(accumulator, sum, accumulator);
        c.Store(batch, query, accumulator);
    }

    /// <summary>Online-softmax step for one row: turns the block's scores into exp(s - m_new), rescales the running
    /// sum and the output row by exp(m_old - m_new), and adds the block's sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Span<float> scores, ref float max, ref float sum, Span<float> output)
    {
        var blockMax = TensorPrimitives.Max(scores);
        var newMax = MathF.Max(max, blockMax);
        if (float.IsNegativeInfinity(newMax))
        {
            // Nothing visible yet: every weight in the block is 0.
            scores.Clear();
            return;
        }

        var correction = MathF.Exp(max - newMax);
        var blockSum = ActivationMath.ExpShiftedSum(scores, newMax);
        if (correction != 1f)
        {
            TensorPrimitives.Multiply(output, correction, output);
        }

        sum = (sum * correction) + blockSum;
        max = newMax;
    }

    /// <summary>Block sizes and packed-buffer layout of one attention call.</summary>
    private sealed class BlockShape
    {
        public BlockShape(MicroKernel micro, AttentionLayout layout)
        {
            Mr = micro.Mr;
            Nr = micro.Nr;
            Tile = micro.Tile;
            BlockQueries = Mr * QueryPanels;
            BlockKeys = Nr * KeyPanels;
            EvPadded = (layout.Ev + Nr - 1) / Nr * Nr;
            KeyPanelsTotal = (layout.S + Nr - 1) / Nr;
            KeysSize = (long)KeyPanelsTotal * Nr * layout.E;
            PerHead = (KeysSize + ((long)layout.S * EvPadded) + 15) & ~15L;
        }

        public int Mr { get; }

        public int Nr { get; }

        public delegate*<int, float*, float*, float*, long, bool, void> Tile { get; }

        public int BlockQueries { get; }

        public int BlockKeys { get; }

        public int EvPadded { get; }

        public int KeyPanelsTotal { get; }

        /// <summary>Floats of packed Kᵀ per head; packed V follows.</summary>
        public long KeysSize { get; }

        /// <summary>Floats of packed K and V per head (16-aligned).</summary>
        public long PerHead { get; }
    }

    /// <summary>Pointers and element types of the operands, and the mask logic.</summary>
    private sealed class Context(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor output, AttentionAttributes attributes, AttentionLayout layout)
    {
        public byte* Q { get; } = (byte*)q.DataPointer;

        public byte* K { get; } = (byte*)k.DataPointer;

        public byte* V { get; } = (byte*)v.DataPointer;

        public DType QType { get; } = q.DType;

        public DType KType { get; } = k.DType;

        public DType VType { get; } = v.DType;

        public int QSize { get; } = q.DType.SizeOf();

        public int KSize { get; } = k.DType.SizeOf();

        public int VSize { get; } = v.DType.SizeOf();

        public AttentionAttributes Attributes { get; } = attributes;

        public AttentionLayout Layout { get; } = layout;

        /// <summary>Sets scores of keys at or beyond <paramref name="limit"/> (relative to the block) to -inf and applies
        /// the mask (bool: false → -inf; float: added).</summary>
        public void ApplyMask(int batch, int query, int firstKey, Span<float> scores, int limit)
        {
            for (var j = Math.Max(limit, 0); j < scores.Length; j++)
            {
                scores[j] = float.NegativeInfinity;
            }

            if (mask is null)
            {
                return;
            }

            var visible = Math.Min(Math.Max(limit, 0), scores.Length);
            var row = (byte*)mask.DataPointer + ((Layout.MaskOffsets![batch] + (query * Layout.MaskRow) + (firstKey * Layout.MaskCol)) * mask.DType.SizeOf());
            var step = Layout.MaskCol * mask.DType.SizeOf();
            if (mask.DType == DType.Bool)
            {
                for (var j = 0; j < visible; j++)
                {
                    if (row[j * step] == 0)
                    {
                        scores[j] = float.NegativeInfinity;
                    }
                }
            }
            else
            {
                for (var j = 0; j < visible; j++)
                {
                    scores[j] += DTypeConvert.LoadOne(row + (j * step), mask.DType);
                }
            }
        }

        public void Store(int batch, int query, ReadOnlySpan<float> values) =>
            DTypeConvert.Store(values, (byte*)output.DataPointer + ((Layout.OOffsets[batch] + (query * Layout.ORow)) * output.DType.SizeOf()), output.DType, Layout.OCol);
    }
}
