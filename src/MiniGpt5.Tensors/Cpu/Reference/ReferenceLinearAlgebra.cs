using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Matmul, linear and convolutions as direct loops with double accumulation.</summary>
internal static unsafe class ReferenceLinearAlgebra
{
    public static void Matmul(Tensor a, Tensor b, Tensor c)
    {
        var layout = MatmulLayout.Create(a, b, c);
        var pa = (byte*)a.DataPointer;
        var pb = (byte*)b.DataPointer;
        var pc = (byte*)c.DataPointer;
        int sa = a.DType.SizeOf(), sb = b.DType.SizeOf(), sc = c.DType.SizeOf();
        for (long batch = 0; batch < layout.BatchCount; batch++)
        {
            var (oa, ob, oc) = layout.BatchOffsets(batch);
            for (var i = 0; i < layout.M; i++)
            {
                for (var j = 0; j < layout.N; j++)
                {
                    double sum = 0;
                    for (var k = 0; k < layout.K; k++)
                    {
                        var x = RefTensor.LoadDouble(pa + ((oa + (i * layout.ARowStride) + (k * layout.AColStride)) * sa), a.DType);
                        var y = RefTensor.LoadDouble(pb + ((ob + (k * layout.BRowStride) + (j * layout.BColStride)) * sb), b.DType);
                        sum += x * y;
                    }

                    RefTensor.StoreDouble(pc + ((oc + (i * layout.CRowStride) + (j * layout.CColStride)) * sc), c.DType, sum);
                }
            }
        }
    }

    public static void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor output)
    {
        var k = x.Shape[^1];
        var n = weight.Shape[0];
        var input = RefTensor.ReadDouble(x);
        var w = RefTensor.ReadDouble(weight);
        var b = bias is null ? null : RefTensor.ReadDouble(bias);
        var rows = input.Length / Math.Max(k, 1);
        if (k == 0)
        {
            rows = (int)(output.NumElements / Math.Max(n, 1));
        }

        var result = new double[rows * n];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = b?[j] ?? 0;
                for (var i = 0; i < k; i++)
                {
                    sum += input[(r * k) + i] * w[(j * k) + i];
                }

                result[(r * n) + j] = sum;
            }
        }

        RefTensor.Write(output, result);
    }

    public static void Conv2d(Tensor x, Tensor weight, Tensor? bias, Tensor output, Conv2dAttributes p)
    {
        int batch = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int cout = weight.Shape[0], cinG = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int ho = output.Shape[2], wo = output.Shape[3];
        var coutG = cout / p.Groups;
        var input = RefTensor.ReadDouble(x);
        var filters = RefTensor.ReadDouble(weight);
        var b = bias is null ? null : RefTensor.ReadDouble(bias);
        var result = new double[output.NumElements];
        for (var n = 0; n < batch; n++)
        {
            for (var co = 0; co < cout; co++)
            {
                var g = co / coutG;
                for (var oy = 0; oy < ho; oy++)
                {
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var sum = b?[co] ?? 0;
                        for (var ci = 0; ci < cinG; ci++)
                        {
                            var channel = (g * cinG) + ci;
                            for (var ky = 0; ky < kh; ky++)
                            {
                                var iy = (oy * p.Stride.H) - p.Padding.H + (ky * p.Dilation.H);
                                if (iy < 0 || iy >= h)
                                {
                                    continue;
                                }

                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var ix = (ox * p.Stride.W) - p.Padding.W + (kx * p.Dilation.W);
                                    if (ix < 0 || ix >= w)
                                    {
                                        continue;
                                    }

                                    sum += input[(((((n * cin) + channel) * h) + iy) * w) + ix]
                                        * filters[(((((co * cinG) + ci) * kh) + ky) * kw) + kx];
                                }
                            }
                        }

                        result[(((((n * cout) + co) * ho) + oy) * wo) + ox] = sum;
                    }
                }
            }
        }

        RefTensor.Write(output, result);
    }

    public static void ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, Tensor output, Conv2dAttributes p)
    {
        int batch = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int coutG = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int cout = output.Shape[1], ho = output.Shape[2], wo = output.Shape[3];
        var cinG = cin / p.Groups;
        var input = RefTensor.ReadDouble(x);
        var filters = RefTensor.ReadDouble(weight);
        var b = bias is null ? null : RefTensor.ReadDouble(bias);
        var result = new double[output.NumElements];
        for (var n = 0; n < batch; n++)
        {
            for (var co = 0; co < cout; co++)
            {
                for (var i = 0; i < ho * wo; i++)
                {
                    result[(((n * cout) + co) * ho * wo) + i] = b?[co] ?? 0;
                }
            }

            for (var ci = 0; ci < cin; ci++)
            {
                var g = ci / cinG;
                for (var iy = 0; iy < h; iy++)
                {
                    for (var ix = 0; ix < w; ix++)
                    {
                        var v = input[(((((n * cin) + ci) * h) + iy) * w) + ix];
                        for (var c = 0; c < coutG; c++)
                        {
                            var co = (g * coutG) + c;
                            for (var ky = 0; ky < kh; ky++)
                            {
                                var oy = (iy * p.Stride.H) - p.Padding.H + (ky * p.Dilation.H);
                                if (oy < 0 || oy >= ho)
                                {
                                    continue;
                                }

                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var ox = (ix * p.Stride.W) - p.Padding.W + (kx * p.Dilation.W);
                                    if (ox < 0 || ox >= wo)
                                    {
                                        continue;
                                    }

                                    result[(((((n * cout) + co) * ho) + oy) * wo) + ox] +=
                                        v * filters[(((((ci * coutG) + c) * kh) + ky) * kw) + kx];
                                }
                            }
                        }
                    }
                }
            }
        }

        RefTensor.Write(output, result);
    }
}
