using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Sort and top-k along the last dim of contiguous float rows (vocabulary logits). The order is total —
/// value, NaN as the largest, then original index — so results equal the stable reference sort.</summary>
internal static unsafe class SortKernels
{
    public static bool TrySortLike(Tensor x, Tensor values, Tensor indices, OpAttributes attributes)
    {
        var (dim, keep, descending) = attributes switch
        {
            TopKAttributes t => (t.Dim, t.K, t.Largest),
            SortAttributes s => (s.Dim, x.Shape[s.Dim], s.Descending),
            _ => (-1, 0, false),
        };
        if (dim != x.Rank - 1 || !x.IsContiguous || !values.IsContiguous || !indices.IsContiguous
            || x.DType is not (DType.Float32 or DType.Float16 or DType.BFloat16))
        {
            return false;
        }

        var length = x.Shape[^1];
        var rows = length == 0 ? 0 : x.NumElements / length;
        var source = (byte*)x.DataPointer;
        var size = x.DType.SizeOf();
        CpuParallel.For(rows, length * 16.0, (start, end) =>
        {
            var row = new float[length];
            var order = new int[length];
            for (var r = start; r < end; r++)
            {
                DTypeConvert.Load(source + (r * length * size), x.DType, 1, row);
                for (var i = 0; i < length; i++)
                {
                    order[i] = i;
                }

                Comparison<int> compare = descending
                    ? (a, b) => Compare(row[b], row[a]) is var c && c != 0 ? c : a.CompareTo(b)
                    : (a, b) => Compare(row[a], row[b]) is var c && c != 0 ? c : a.CompareTo(b);
                Array.Sort(order, compare);
                var chosen = new float[keep];
                for (var j = 0; j < keep; j++)
                {
                    chosen[j] = row[order[j]];
                    ((long*)indices.DataPointer)[(r * keep) + j] = order[j];
                }

                DTypeConvert.Store(chosen, (byte*)values.DataPointer + (r * keep * size), values.DType, 1);
            }
        });

        return true;
    }

    /// <summary>Ascending order with NaN above every number.</summary>
    private static int Compare(float a, float b) => (float.IsNaN(a), float.IsNaN(b)) switch
    {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => -1,
        _ => a.CompareTo(b),
    };
}
