using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

/// <summary>
/// Fast gradients of an ungrouped float32 CPU convolution, the bulk of a UNet or VAE training step. The weight gradient
/// is one GEMM, g as [C_out, N·P] times the im2col matrix of x laid out [N·P, C_in·kh·kw] (built row by row in one
/// pass), where the general formula unfolds tap by tap and runs a batched GEMM with a transposed operand (8× the
/// forward). The input gradient of a stride-1, dilation-1 convolution is the forward convolution of g with the
/// flipped, in/out-swapped kernel, which runs on the engine's tuned convolution instead of its transposed one.
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>Whether the fast paths apply.</summary>
    public static bool Applies(Tensor x, DType weightDType, Tensor g, Conv2dAttributes a) =>
        a.Groups == 1 && x.DType == DType.Float32 && g.DType == DType.Float32 && weightDType == DType.Float32
        && x.Device.Kind == DeviceKind.Cpu && g.Device.Kind == DeviceKind.Cpu;

    /// <summary>dW [C_out, C_in, kh, kw] = Σ_n Σ_p g[n, co, p] · x[n, ci, p·s + (i, j)·d − pad].</summary>
    public static Tensor WeightGradient(Tensor x, Tensor g, (int H, int W) kernel, Conv2dAttributes a)
    {
        using var scope = TensorScope.Enter();
        var xs = x.IsContiguous ? x : x.Contiguous();
        var gs = g.IsContiguous ? g : g.Contiguous();
        int n = xs.Shape[0], c = xs.Shape[1], h = xs.Shape[2], w = xs.Shape[3];
        int co = gs.Shape[1], oh = gs.Shape[2], ow = gs.Shape[3];
        int kh = kernel.H, kw = kernel.W;
        var columns = c * kh * kw;
        // [N·oh·ow, C·kh·kw]: row (n, oy, ox), column (ci, i, j).
        var positions = oh * ow;
        // im2col with one row per tap: cols[(ci, i, j), (n, oy, ox)] = x[n, ci, oy·s + i·d − pad, ox·s + j·d − pad] (0
        // outside), so each row is filled by sequential reads of one input plane.
        var cols = Tensor.Empty([columns, n * positions], DType.Float32, xs.Device);
        var (sh, sw) = a.Stride;
        var (ph, pw) = a.Padding;
        var (dh, dw) = a.Dilation;
        Parallel.For(0, columns, tap =>
        {
            var ci = tap / (kh * kw);
            var i = tap / kw % kh;
            var j = tap % kw;
            var source = xs.AsSpan<float>();
            var row = cols.AsSpan<float>().Slice(tap * n * positions, n * positions);
            for (var b = 0; b < n; b++)
            {
                var plane = ((b * c) + ci) * h * w;
                for (var oy = 0; oy < oh; oy++)
                {
                    var segment = row.Slice((b * positions) + (oy * ow), ow);
                    var iy = (oy * sh) + (i * dh) - ph;
                    if (iy < 0 || iy >= h)
                    {
                        segment.Clear();
                        continue;
                    }

                    var line = source.Slice(plane + (iy * w), w);
                    for (var ox = 0; ox < ow; ox++)
                    {
                        var ix = (ox * sw) + (j * dw) - pw;
                        segment[ox] = ix >= 0 && ix < w ? line[ix] : 0f;
                    }
                }
            }
        });
        // g [N, C', oh, ow] → [N·oh·ow, C'], then [C·kh·kw, N·P] · [N·P, C'] → [C·kh·kw, C'] → [C', C, kh, kw].
        var gColumns = gs.Permute(0, 2, 3, 1).Contiguous().Reshape(n * positions, co);
        var product = Ops.Matmul(cols, gColumns).Transpose(0, 1).Contiguous();
        return product.Reshape(co, c, kh, kw).MoveToOuterScope();
    }

    /// <summary>Whether the input gradient can be a forward convolution (stride 1, dilation 1, padding ≤ kernel − 1).</summary>
    public static bool InputGradientApplies(Tensor g, Tensor weight, Conv2dAttributes a) =>
        a.Groups == 1 && g.DType == DType.Float32 && weight.DType == DType.Float32 && g.Device.Kind == DeviceKind.Cpu && weight.Device.Kind == DeviceKind.Cpu
        && a.Stride == (1, 1) && a.Dilation == (1, 1) && a.Padding.H <= weight.Shape[2] - 1 && a.Padding.W <= weight.Shape[3] - 1;

    /// <summary>dx = conv2d(g, flip(W)ᵀ, padding = k − 1 − pad) for a stride-1, dilation-1 convolution.</summary>
    public static Tensor InputGradient(Tensor g, Tensor weight, Conv2dAttributes a)
    {
        using var scope = TensorScope.Enter();
        int co = weight.Shape[0], ci = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        var ws = weight.IsContiguous ? weight : weight.Contiguous();
        // flipped[ci, co, i, j] = W[co, ci, kh−1−i, kw−1−j]
        var flipped = Tensor.Empty([ci, co, kh, kw], DType.Float32, weight.Device);
        var source = ws.AsSpan<float>();
        var target = flipped.AsSpan<float>();
        for (var o = 0; o < co; o++)
        {
            for (var c = 0; c < ci; c++)
            {
                for (var i = 0; i < kh; i++)
                {
                    for (var j = 0; j < kw; j++)
                    {
                        target[(((c * co) + o) * kh * kw) + (i * kw) + j] = source[(((o * ci) + c) * kh * kw) + ((kh - 1 - i) * kw) + (kw - 1 - j)];
                    }
                }
            }
        }

        var gs = g.IsContiguous ? g : g.Contiguous();
        return Ops.Conv2d(gs, flipped, null, (1, 1), (kh - 1 - a.Padding.H, kw - 1 - a.Padding.W), (1, 1), 1).MoveToOuterScope();
    }
}

