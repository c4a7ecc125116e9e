using MiniGpt5.Tensors.Cpu.Kernels;
using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed unsafe class GemmTests
{
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var kernel in MicroKernel.Supported)
        {
            data.Add(kernel.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Packed_gemm_matches_a_naive_product_for_odd_shapes_and_layouts(string kernelName)
    {
        // Tolerance: 2e-6·k absolute (float32 accumulation order differs from the double-precision naive sum).
        var kernel = MicroKernel.Supported.Single(k => k.Name == kernelName);
        var random = new Random(11);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (7, 5, 3), (13, 33, 17), (97, 70, 300), (130, 45, 600), (3, 4200, 5), (6, 32, 192), (12, 64, 385)];
        foreach (var (m, n, k) in shapes)
        {
            foreach (var (aTransposed, bTransposed) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                foreach (var accumulate in new[] { false, true })
                {
                    var a = Values(random, m * k);
                    var b = Values(random, k * n);
                    var c = Values(random, m * n);
                    var expected = new double[m * n];
                    for (var i = 0; i < m; i++)
                    {
                        for (var j = 0; j < n; j++)
                        {
                            double sum = accumulate ? c[(i * n) + j] : 0;
                            for (var p = 0; p < k; p++)
                            {
                                sum += (double)A(a, i, p) * B(b, p, j);
                            }

                            expected[(i * n) + j] = sum;
                        }
                    }

                    fixed (float* pa = a, pb = b, pc = c)
                    {
                        var left = new StridedMatrix((byte*)pa, DType.Float32, aTransposed ? 1 : k, aTransposed ? m : 1);
                        var right = new StridedMatrix((byte*)pb, DType.Float32, bTransposed ? 1 : n, bTransposed ? k : 1);
                        Gemm.Multiply(m, n, k, left, right, pc, n, accumulate, kernel);
                    }

                    var context = $"{kernel} m={m} n={n} k={k} aT={aTransposed} bT={bTransposed} accumulate={accumulate}";
                    TensorAssert.Close(expected.Select(v => (float)v).ToArray(), c, 2e-6 * k, 1e-6, context);

                    float A(float[] values, int i, int p) => aTransposed ? values[(p * m) + i] : values[(i * k) + p];
                    float B(float[] values, int p, int j) => bTransposed ? values[(j * k) + p] : values[(p * n) + j];
                }
            }
        }
    }

    [Fact]
    public void Half_precision_operands_are_converted_while_packing()
    {
        // Tolerance 1e-4 absolute: the bfloat16/float16 values are exact in float32, only summation order differs.
        foreach (var dtype in new[] { DType.BFloat16, DType.Float16 })
        {
            foreach (var rows in new[] { 1, 3, 4, 5, 9, 70 })
            {
                var context = $"{dtype} rows={rows}";
                RandomTensors.FastMatchesReference(
                    () =>
                    {
                        var x = RandomTensors.Normal(new Generator(5), [rows, 77]);
                        var w = RandomTensors.Normal(new Generator(6), [45, 77], dtype);
                        var b = RandomTensors.Normal(new Generator(7), [45]);
                        return Ops.Linear(x, w, b);
                    },
                    1e-4,
                    1e-5,
                    context);
            }
        }
    }

    private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
}
