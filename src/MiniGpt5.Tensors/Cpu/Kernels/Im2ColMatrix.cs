using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// The im2col matrix of a batch of images (one channel group) as a virtual GEMM operand (implicit GEMM): row
/// r = (c, ky, kx), column n = (image, oy, ox) with images side by side, element
/// x[image, c, oy·sh - ph + ky·dh, ox·sw - pw + kx·dw] or 0 outside the image. It is only ever materialised one
/// packed panel at a time, so a 3×3 convolution needs no 9× copy, and a batch is one product (the weights are
/// packed once for all images).
/// <para>A panel's columns fall into a few segments, each a run of one output row of one image (a 64- or 32-wide
/// output row holds a whole 32-column panel); every packed row of the panel is then one strided load per segment
/// with zeros where the kernel tap falls in the padding.</para>
/// </summary>
internal readonly unsafe struct Im2ColMatrix : IGemmOperand
{
    private readonly byte* _data;
    private readonly DType _dtype;
    private readonly long _imageStride;
    private readonly long _channelStride;
    private readonly long _rowStride;
    private readonly long _colStride;
    private readonly int _height;
    private readonly int _width;
    private readonly int _kernelH;
    private readonly int _kernelW;
    private readonly int _outHeight;
    private readonly int _outWidth;
    private readonly (int H, int W) _stride;
    private readonly (int H, int W) _padding;
    private readonly (int H, int W) _dilation;

    /// <summary>Images at <paramref name="data"/> + i·imageStride (strides in elements, x laid out as [C, H, W]
    /// within an image); output pixels per image = outHeight·outWidth.</summary>
    public Im2ColMatrix(
        byte* data, DType dtype, long imageStride, long channelStride, long rowStride, long colStride, int height, int width,
        int kernelH, int kernelW, int outHeight, int outWidth, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        _data = data;
        _dtype = dtype;
        _imageStride = imageStride;
        _channelStride = channelStride;
        _rowStride = rowStride;
        _colStride = colStride;
        _height = height;
        _width = width;
        _kernelH = kernelH;
        _kernelW = kernelW;
        _outHeight = outHeight;
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
        // Segments of the panel: first column, length, and top-left input coordinate and image of the first pixel.
        var segmentStart = stackalloc int[nr];
        var segmentLength = stackalloc int[nr];
        var segmentY = stackalloc int[nr];
        var segmentX = stackalloc int[nr];
        var segmentImage = stackalloc long[nr];
        var pixels = _outHeight * _outWidth;
        var segments = 0;
        for (var j = 0; j < cols;)
        {
            var n = col0 + j;
            var image = n / pixels;
            var pixel = n % pixels;
            var oy = pixel / _outWidth;
            var ox = pixel % _outWidth;
            var length = Math.Min(cols - j, _outWidth - ox);
            segmentStart[segments] = j;
            segmentLength[segments] = length;
            segmentY[segments] = (oy * _stride.H) - _padding.H;
            segmentX[segments] = (ox * _stride.W) - _padding.W;
            segmentImage[segments] = image * _imageStride;
            segments++;
            j += length;
        }

        var size = _dtype.SizeOf();
        var step = _stride.W * _colStride;
        var fastCopy = _dtype == DType.Float32 && step == 1;
        var taps = _kernelH * _kernelW;
        var channel = k0 / taps;
        var ky = (k0 % taps) / _kernelW;
        var kx = k0 % _kernelW;
        for (var k = 0; k < kc; k++)
        {
            var group = destination + ((long)k * nr);
            var plane = channel * _channelStride;
            var dy = ky * _dilation.H;
            var dx = kx * _dilation.W;
            for (var s = 0; s < segments; s++)
            {
                var target = group + segmentStart[s];
                var length = segmentLength[s];
                var y = segmentY[s] + dy;
                if ((uint)y >= (uint)_height)
                {
                    new Span<float>(target, length).Clear();
                    continue;
                }

                // Element t reads input column x0 + t·sw; keep the t with 0 ≤ x < width.
                var x0 = segmentX[s] + dx;
                var first = x0 >= 0 ? 0 : Math.Min(length, (-x0 + _stride.W - 1) / _stride.W);
                var last = x0 >= _width ? 0 : Math.Min(length, ((_width - x0) + _stride.W - 1) / _stride.W);
                last = Math.Max(last, first);
                var source = segmentImage[s] + plane + (y * _rowStride) + ((x0 + (first * _stride.W)) * _colStride);
                for (var t = 0; t < first; t++)
                {
                    target[t] = 0;
                }

                if (fastCopy)
                {
                    GemmPacking.Copy((float*)_data + source, target + first, last - first);
                }
                else if (last > first)
                {
                    DTypeConvert.Load(_data + (source * size), _dtype, step, new Span<float>(target + first, last - first));
                }

                for (var t = last; t < length; t++)
                {
                    target[t] = 0;
                }
            }

            for (var z = cols; z < nr; z++)
            {
                group[z] = 0;
            }

            // Next row of the im2col matrix: (c, ky, kx) in row-major order.
            if (++kx == _kernelW)
            {
                kx = 0;
                if (++ky == _kernelH)
                {
                    ky = 0;
                    channel++;
                }
            }
        }
    }
}
