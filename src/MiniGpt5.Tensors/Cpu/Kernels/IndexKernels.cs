using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Embedding lookups, concatenation and nearest resizing as block copies.</summary>
internal static unsafe class IndexKernels
{
    public static bool TryEmbedding(Tensor ids, Tensor weight, Tensor output)
    {
        if (!weight.IsContiguous || !output.IsContiguous || weight.DType != output.DType)
        {
            return false;
        }

        int vocab = weight.Shape[0], dim = weight.Shape[1];
        var indices = RefTensor.ReadLong(ids);
        var rowBytes = (long)dim * weight.DType.SizeOf();
        var source = (byte*)weight.DataPointer;
        var target = (byte*)output.DataPointer;
        for (var r = 0; r < indices.Length; r++)
        {
            var id = indices[r] < 0 ? indices[r] + vocab : indices[r];
            if (id < 0 || id >= vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), indices[r], $"Embedding: id {indices[r]} is out of range for size {vocab}.");
            }

            Buffer.MemoryCopy(source + (id * rowBytes), target + (r * rowBytes), rowBytes, rowBytes);
        }

        return true;
    }

    /// <summary>Copies each input into its slice of the output along the dim (each a strided block copy).</summary>
    public static bool TryCat(ReadOnlySpan<Tensor> inputs, Tensor output, int dim)
    {
        var start = 0;
        foreach (var input in inputs)
        {
            var size = input.Shape[dim];
            if (size > 0)
            {
                var shape = output.ShapeArray();
                shape[dim] = size;
                using var slice = output.WithLayout(shape, output.Strides.ToArray(), output.Offset + (start * output.Strides[dim])).DetachFromScope();
                if (!ElementwiseKernels.TryCopy(input, slice))
                {
                    ReferenceElementwise.Copy(input, slice);
                }
            }

            start += size;
        }

        return true;
    }

    public static bool TryInterpolateNearest(Tensor x, Tensor output, InterpolateAttributes p)
    {
        if (!x.IsContiguous || !output.IsContiguous || x.DType != output.DType)
        {
            return false;
        }

        int h = x.Shape[2], w = x.Shape[3], ho = output.Shape[2], wo = output.Shape[3];
        var planes = x.Shape[0] * x.Shape[1];
        var rows = new int[ho];
        var cols = new int[wo];
        for (var i = 0; i < ho; i++)
        {
            rows[i] = ReferenceIndexing.NearestIndex(i, h, ho, p.ScaleH);
        }

        for (var i = 0; i < wo; i++)
        {
            cols[i] = ReferenceIndexing.NearestIndex(i, w, wo, p.ScaleW);
        }

        var size = x.DType.SizeOf();
        var source = (byte*)x.DataPointer;
        var target = (byte*)output.DataPointer;
        CpuParallel.For((long)planes * ho, wo, (start, end) =>
        {
            for (var r = start; r < end; r++)
            {
                var plane = r / ho;
                var oy = (int)(r % ho);
                var from = source + (((plane * h) + rows[oy]) * w * size);
                var to = target + (r * wo * size);
                switch (size)
                {
                    case 4:
                        for (var ox = 0; ox < wo; ox++)
                        {
                            ((uint*)to)[ox] = ((uint*)from)[cols[ox]];
                        }

                        break;
                    case 2:
                        for (var ox = 0; ox < wo; ox++)
                        {
                            ((ushort*)to)[ox] = ((ushort*)from)[cols[ox]];
                        }

                        break;
                    default:
                        for (var ox = 0; ox < wo; ox++)
                        {
                            Buffer.MemoryCopy(from + (cols[ox] * size), to + (ox * size), size, size);
                        }

                        break;
                }
            }
        });
        return true;
    }
}
