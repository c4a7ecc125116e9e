using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Convolutions on the packed GEMM: conv2d as implicit GEMM over the im2col matrix, conv_transpose2d as a
/// GEMM into columns followed by a col2im scatter-add.</summary>
internal static unsafe class ConvKernels
{
    /// <summary>out[:, g·Cg + o, :] = W_g [Cg, Cin_g·kh·kw] · im2col(x[:, g]) [Cin_g·kh·kw, N·Ho·Wo] (+ bias): one
    /// product per group with the whole batch side by side, written straight into NCHW planes.</summary>
    public static void Conv2d(Tensor x, Tensor weight, Tensor? bias, Tensor output, Conv2dAttributes p)
    {
        int batch = x.Shape[0], h = x.Shape[2], w = x.Shape[3];
        int cout = weight.Shape[0], cinG = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int ho = output.Shape[2], wo = output.Shape[3];
        var coutG = cout / p.Groups;
        var depth = cinG * kh * kw;
        var pixels = ho * wo;
        using var weightMatrix = weight.IsContiguous ? null : CpuTensors.ContiguousCopy(weight);
        var filters = weightMatrix ?? weight;
        var floatOutput = output.DType == DType.Float32 ? null : CpuTensors.FloatBuffer(output.NumElements);
        fixed (float* staging = floatOutput)
        {
            var result = staging is null ? (float*)output.DataPointer : staging;
            if (bias is not null)
            {
                // Every output plane starts at its channel's bias.
                for (var n = 0; n < batch; n++)
                {
                    for (var o = 0; o < cout; o++)
                    {
                        new Span<float>(result + ((((long)n * cout) + o) * pixels), pixels).Fill(DTypeConvert.LoadOne((byte*)bias.DataPointer + (o * bias.Strides[0] * bias.DType.SizeOf()), bias.DType));
                    }
                }
            }

            var size = x.DType.SizeOf();
            for (var g = 0; g < p.Groups; g++)
            {
                // C rows are output channels of group g (plane stride = pixels); image n's columns start cout planes later.
                var c = result + ((long)g * coutG * pixels);
                var a = new StridedMatrix(
                    (byte*)filters.DataPointer + ((long)g * coutG * depth * filters.DType.SizeOf()), filters.DType, depth, 1);
                var columns = new Im2ColMatrix(
                    (byte*)x.DataPointer + (g * cinG * x.Strides[1] * size), x.DType, x.Strides[0], x.Strides[1], x.Strides[2], x.Strides[3],
                    h, w, kh, kw, ho, wo, p.Stride, p.Padding, p.Dilation);
                Gemm.Multiply(coutG, batch * pixels, depth, a, columns, c, pixels, bias is not null, segment: pixels, segmentStride: (long)cout * pixels);
            }

            if (staging is not null)
            {
                DTypeConvert.Store(new ReadOnlySpan<float>(staging, (int)output.NumElements), (byte*)output.DataPointer, output.DType, 1);
            }
        }
    }

    /// <summary>columns [Cout_g·kh·kw, H·W] = W_gᵀ · x_g, then each column entry is added to the output pixel it
    /// lands on (col2im), starting from the bias.</summary>
    public static void ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, Tensor output, Conv2dAttributes p)
    {
        int batch = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int coutG = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int cout = output.Shape[1], ho = output.Shape[2], wo = output.Shape[3];
        var cinG = cin / p.Groups;
        var rows = coutG * kh * kw;
        var pixels = h * w;
        using var weightMatrix = weight.IsContiguous ? null : CpuTensors.ContiguousCopy(weight);
        using var input = x.IsContiguous ? null : CpuTensors.ContiguousCopy(x);
        var filters = weightMatrix ?? weight;
        var source = input ?? x;
        var result = new float[output.NumElements];
        var biasValues = bias is null ? null : new float[cout];
        if (bias is not null)
        {
            DTypeConvert.Load((byte*)bias.DataPointer, bias.DType, bias.Strides[0], biasValues);
        }

        var columns = CpuTensors.FloatBuffer((long)rows * pixels);
        fixed (float* columnsPointer = columns)
        {
            for (var n = 0; n < batch; n++)
            {
                for (var co = 0; co < cout; co++)
                {
                    result.AsSpan((((n * cout) + co) * ho * wo), ho * wo).Fill(biasValues?[co] ?? 0);
                }

                for (var g = 0; g < p.Groups; g++)
                {
                    // W_g is [Cin_g, Cout_g·kh·kw] row-major; its transpose is the left operand.
                    var a = new StridedMatrix(
                        (byte*)filters.DataPointer + ((long)g * cinG * rows * filters.DType.SizeOf()), filters.DType, 1, rows);
                    var b = new StridedMatrix(
                        (byte*)source.DataPointer + ((((long)n * cin) + (g * cinG)) * pixels * source.DType.SizeOf()), source.DType, pixels, 1);
                    Gemm.Multiply(rows, pixels, cinG, a, b, columnsPointer, pixels, false);
                    for (var r = 0; r < rows; r++)
                    {
                        var co = (g * coutG) + (r / (kh * kw));
                        var ky = (r / kw) % kh;
                        var kx = r % kw;
                        var plane = result.AsSpan((((n * cout) + co) * ho * wo), ho * wo);
                        for (var iy = 0; iy < h; iy++)
                        {
                            var oy = (iy * p.Stride.H) - p.Padding.H + (ky * p.Dilation.H);
                            if ((uint)oy >= (uint)ho)
                            {
                                continue;
                            }

                            for (var ix = 0; ix < w; ix++)
                            {
                                var ox = (ix * p.Stride.W) - p.Padding.W + (kx * p.Dilation.W);
                                if ((uint)ox < (uint)wo)
                                {
                                    plane[(oy * wo) + ox] += columnsPointer[((long)r * pixels) + (iy * w) + ix];
                                }
                            }
                        }
                    }
                }
            }
        }

        DTypeConvert.Store(result, (byte*)output.DataPointer, output.DType, 1);
    }
}
