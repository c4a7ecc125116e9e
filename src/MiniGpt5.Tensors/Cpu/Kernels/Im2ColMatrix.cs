using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// The im2col matrix of one image and channel group as a virtual GEMM operand (implicit GEMM): row r = (c, ky, kx),
/// column n = (oy, ox), element = x[c, oy·sh - ph + ky·dh, ox·sw - pw + kx·dw] or 0 outside the image. It is only
/// ever materialised one packed panel at a time, so a 3×3 convolution on a 512×512 image needs no 9× copy.
/// </summary>
internal readonly unsafe struct Im2ColMatrix : IGemmOperand
{
    private readonly byte* _data;
    private readonly DType _dtype;
    private readonly long _channelStride;
    private readonly long _rowStride;
    private readonly long _colStride;
    private readonly int _height;
    private readonly int _width;
    private readonly int _kernelH;
    private readonly int _kernelW;
    private readonly int _outWidth;
    private readonly (int H, int W) _stride;
    private readonly (int H, int W) _padding;
    private readonly (int H, int W) _dilation;

    public Im2ColMatrix(
        byte* data, DType dtype, long channelStride, long rowStride, long colStride, int height, int width,
        int kernelH, int kernelW, int outWidth, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        _data = data;
        _dtype = dtype;
        _channelStride = channelStride;
        _rowStride = rowStride;
        _colStride = colStride;
        _height = height;
        _width = width;
        _kernelH = kernelH;
        _kernelW = kernelW;
        _outWidth = outWidth;
        _stride = stride;
        _padding = padding;
        _dilation = dilation;
    }

    public void PackA(int row0, int rows, int k0, int kc, int mr, float* destination) =>
        throw new NotSupportedException("The im2col matrix is only used as the right-hand operand.");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackB(int k0, int kc, int col0, int cols, int nr, float* destination)
    {
        // Top-left input coordinate of each output pixel in the panel.
        var baseY = stackalloc int[nr];
        var baseX = stackalloc int[nr];
        for (var j = 0; j < cols; j++)
        {
            var n = col0 + j;
            baseY[j] = ((n / _outWidth) * _stride.H) - _padding.H;
            baseX[j] = ((n % _outWidth) * _stride.W) - _padding.W;
        }

        var size = _dtype.SizeOf();
        var taps = _kernelH * _kernelW;
        var unitStride = _stride.W == 1 && _colStride == 1;
        for (var k = 0; k < kc; k++)
        {
            var r = k0 + k;
            var channel = r / taps;
            var tap = r % taps;
            var dy = (tap / _kernelW) * _dilation.H;
            var dx = (tap % _kernelW) * _dilation.W;
            var plane = _data + (channel * _channelStride * size);
            var group = destination + (k * nr);
            var j = 0;
            while (j < cols)
            {
                var y = baseY[j] + dy;
                var x = baseX[j] + dx;
                if ((uint)y >= (uint)_height)
                {
                    group[j++] = 0;
                    continue;
                }

                // With unit stride, pixels of one output row read consecutive input elements: convert a whole run.
                var run = 1;
                if (unitStride)
                {
                    while (j + run < cols && baseY[j + run] == baseY[j] && baseX[j + run] == baseX[j] + run)
                    {
                        run++;
                    }
                }

                var start = Math.Max(x, 0);
                var end = Math.Min(x + run, _width);
                for (var i = 0; i < Math.Min(start - x, run); i++)
                {
                    group[j + i] = 0;
                }

                if (end > start)
                {
                    DTypeConvert.Load(
                        plane + (((y * _rowStride) + (start * _colStride)) * size),
                        _dtype,
                        _colStride,
                        new Span<float>(group + j + (start - x), end - start));
                }

                for (var i = Math.Max(end - x, 0); i < run; i++)
                {
                    group[j + i] = 0;
                }

                j += run;
            }

            for (var z = cols; z < nr; z++)
            {
                group[z] = 0;
            }
        }
    }
}
