using System.Runtime.CompilerServices;
using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Rotary embedding (HF rotate-half): the cos/sin table is built once per call for the positions present,
/// then every (batch, head, token) row is rotated with the same roundings as the PyTorch expression.</summary>
internal static unsafe class RopeKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Tensor x, Tensor positions, Tensor output, RopeAttributes p)
    {
        int batch = x.Shape[0], heads = x.Shape[1], length = x.Shape[2], dim = x.Shape[3];
        var half = dim / 2;
        var ids = RefTensor.ReadLong(positions);
        var distinct = ids.Length;
        var cos = new float[distinct * half];
        var sin = new float[distinct * half];
        var dtype = x.DType;
        for (var r = 0; r < distinct; r++)
        {
            for (var i = 0; i < half; i++)
            {
                var (c, s) = RotaryTable.CosSin(ids[r], i, dim, p.Base);
                cos[(r * half) + i] = Round(dtype, c);
                sin[(r * half) + i] = Round(dtype, s);
            }
        }

        var rows = (long)batch * heads * length;
        var xStrides = x.Strides.ToArray();
        var oStrides = output.Strides.ToArray();
        CpuParallel.For(rows, dim * 4.0, (start, end) =>
        {
            var row = Scratch.Row(1, dim);
            var result = Scratch.Row(2, dim);
            for (var r = start; r < end; r++)
            {
                var t = (int)(r % length);
                var h = (int)(r / length % heads);
                var b = (int)(r / length / heads);
                DTypeConvert.Load(ElementwiseKernels.At(x, (b * xStrides[0]) + (h * xStrides[1]) + (t * xStrides[2])), dtype, xStrides[3], row);
                var table = (positions.Rank == 1 ? t : (b * length) + t) * half;
                for (var i = 0; i < half; i++)
                {
                    float c = cos[table + i], s = sin[table + i];
                    float x1 = row[i], x2 = row[i + half];
                    result[i] = Round(dtype, Round(dtype, x1 * c) + Round(dtype, -x2 * s));
                    result[i + half] = Round(dtype, Round(dtype, x2 * c) + Round(dtype, x1 * s));
                }

                DTypeConvert.Store(result, ElementwiseKernels.At(output, (b * oStrides[0]) + (h * oStrides[1]) + (t * oStrides[2])), output.DType, oStrides[3]);
            }
        });
    }

    private static float Round(DType dtype, float value) => dtype switch
    {
        DType.BFloat16 => BFloat16.BitsToSingle(BFloat16.RoundToBits(value)),
        DType.Float16 => (float)(Half)value,
        _ => value,
    };
}
