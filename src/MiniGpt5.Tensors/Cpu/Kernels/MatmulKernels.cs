namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Linear and matmul on the packed GEMM (which hands a handful of rows, i.e. decoding, to <see cref="Gemv"/>,
/// where packing the weight would cost more than the product).</summary>
internal static unsafe class MatmulKernels
{
    public static void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor output)
    {
        int k = weight.Shape[1], n = weight.Shape[0];
        var m = (int)(x.NumElements / Math.Max(k, 1));
        if (k == 0)
        {
            m = (int)(output.NumElements / Math.Max(n, 1));
        }

        Tensor? xCopy = null;
        var xStrides = CpuTensors.MatrixStrides(x, m, k);
        if (xStrides is null)
        {
            xCopy = CpuTensors.ContiguousCopy(x);
            xStrides = (k, 1);
        }

        var source = xCopy ?? x;
        try
        {
            var a = new StridedMatrix((byte*)source.DataPointer, source.DType, xStrides.Value.Row, xStrides.Value.Col);
            var b = new StridedMatrix((byte*)weight.DataPointer, weight.DType, weight.Strides[1], weight.Strides[0]);
            WithFloatOutput(output, m, n, (c, ldc) =>
            {
                // The bias is the starting value of every output row.
                if (bias is not null)
                {
                    for (var i = 0; i < m; i++)
                    {
                        DTypeConvert.Load((byte*)bias.DataPointer, bias.DType, bias.Strides[0], new Span<float>(c + (i * ldc), n));
                    }
                }

                Gemm.Multiply(m, n, k, a, b, c, ldc, bias is not null);
            });
        }
        finally
        {
            xCopy?.Dispose();
        }
    }

    public static void Matmul(Tensor aTensor, Tensor bTensor, Tensor output)
    {
        var layout = MatmulLayout.Create(aTensor, bTensor, output);
        int m = layout.M, n = layout.N, k = layout.K;
        var batches = layout.BatchCount;
        var sa = aTensor.DType.SizeOf();
        var sb = bTensor.DType.SizeOf();
        var pa = (byte*)aTensor.DataPointer;
        var pb = (byte*)bTensor.DataPointer;

        // One GEMM when b is shared by every batch and a's batches stack into one tall matrix (x @ W).
        if (batches > 1 && layout.BBatchStrides.All(s => s == 0) && Stacks(layout.BatchShape, layout.ABatchStrides, layout.ARowStride, m))
        {
            var a = new StridedMatrix(pa, aTensor.DType, layout.ARowStride, layout.AColStride);
            var b = new StridedMatrix(pb, bTensor.DType, layout.BRowStride, layout.BColStride);
            WithFloatOutput(output, (int)(batches * m), n, (c, ldc) => Gemm.Multiply((int)(batches * m), n, k, a, b, c, ldc, false));
            return;
        }

        var perBatch = (double)m * n * k;
        var direct = output.DType == DType.Float32 && (layout.CColStride == 1 || n == 1);
        void Run(long batch)
        {
            var (oa, ob, oc) = layout.BatchOffsets(batch);
            var a = new StridedMatrix(pa + (oa * sa), aTensor.DType, layout.ARowStride, layout.AColStride);
            var b = new StridedMatrix(pb + (ob * sb), bTensor.DType, layout.BRowStride, layout.BColStride);
            if (direct)
            {
                Gemm.Multiply(m, n, k, a, b, (float*)output.DataPointer + oc, m == 1 ? n : layout.CRowStride, false);
                return;
            }

            // Strided or half-precision output: compute the batch in float32 scratch, then store with one rounding.
            var scratch = m * n <= 65536 ? Scratch.Row(2, m * n) : CpuTensors.FloatBuffer((long)m * n);
            fixed (float* c = scratch)
            {
                Gemm.Multiply(m, n, k, a, b, c, n, false);
            }

            for (var i = 0; i < m; i++)
            {
                DTypeConvert.Store(scratch.Slice(i * n, n), ElementwiseKernels.At(output, oc + (i * layout.CRowStride)), output.DType, layout.CColStride);
            }
        }

        if (batches >= CpuParallel.Workers && perBatch < 4e6)
        {
            // Many small products (attention heads): one product per task, each on one core.
            CpuParallel.For(batches, perBatch, (start, end) =>
            {
                using var serial = CpuParallel.Serial();
                for (var batch = start; batch < end; batch++)
                {
                    Run(batch);
                }
            });
        }
        else
        {
            for (long batch = 0; batch < batches; batch++)
            {
                Run(batch);
            }
        }
    }

    /// <summary>Runs <paramref name="compute"/>(c, ldc) on the output's memory when it is a float32 matrix with unit
    /// column stride, or on a float32 scratch matrix that is then stored (rounded) into the output.</summary>
    private static void WithFloatOutput(Tensor output, int m, int n, FloatTarget compute)
    {
        var strides = CpuTensors.MatrixStrides(output, m, n);
        if (output.DType == DType.Float32 && strides is { Col: 1 } s)
        {
            compute((float*)output.DataPointer, m == 1 ? n : s.Row);
            return;
        }

        var buffer = CpuTensors.FloatBuffer((long)m * n);
        fixed (float* c = buffer)
        {
            compute(c, n);
        }

        if (strides is { } direct)
        {
            for (var i = 0; i < m; i++)
            {
                DTypeConvert.Store(buffer.AsSpan(i * n, n), ElementwiseKernels.At(output, i * direct.Row), output.DType, direct.Col);
            }
        }
        else
        {
            using var staged = Tensor.FromArray<float>(buffer, output.Shape).DetachFromScope();
            Reference.ReferenceElementwise.Copy(staged, output);
        }
    }

    /// <summary>True when batches of row-strided matrices lie at uniform stride, i.e. form one tall matrix.</summary>
    private static bool Stacks(int[] batchShape, long[] batchStrides, long rowStride, int rows)
    {
        var expected = rowStride * rows;
        for (var d = batchShape.Length - 1; d >= 0; d--)
        {
            if (batchShape[d] != 1 && batchStrides[d] != expected)
            {
                return false;
            }

            expected *= batchShape[d];
        }

        return true;
    }

    private delegate void FloatTarget(float* c, long ldc);
}
