using MiniGpt5.Tensors.Cuda.Gemm;
using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Conv2d as im2col + one strided-batched cuBLASLt GEMM per chunk of images. The unfolded input is written directly
// in the weight's dtype (no separate cast), and images are processed in chunks so the scratch stays bounded.
public sealed unsafe partial class CudaBackend
{
    /// <summary>Most scratch bytes the unfolded input of one chunk of images may take.</summary>
    internal const long Im2colScratchBytes = 512L << 20;

    private void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, Conv2dAttributes attributes)
    {
        int n = x.Shape[0], c = x.Shape[1];
        int o = w.Shape[0], kh = w.Shape[2], kw = w.Shape[3];
        int ho = y.Shape[2], wo = y.Shape[3];
        long k = (long)c * kh * kw;
        long p = (long)ho * wo;
        var colsType = w.DType;
        var perImage = k * p * colsType.SizeOf();
        var chunk = (int)Math.Clamp(Im2colScratchBytes / Math.Max(perImage, 1), 1, n);
        var scratch = _pool.Rent(perImage * chunk, _device.Stream);
        try
        {
            var elementSize = (ulong)x.DType.SizeOf();
            for (var n0 = 0; n0 < n; n0 += chunk)
            {
                var images = Math.Min(chunk, n - n0);
                var xa = Address(x) + ((ulong)n0 * (ulong)x.Strides[0] * elementSize);
                Im2col(x, xa, scratch.Address, colsType, images, kh, kw, ho, wo, attributes);

                var gemm = GemmPlanner.Im2colConvolution(images, o, k, p);
                var yAddress = Address(y) + ((ulong)n0 * (ulong)o * (ulong)p * (ulong)y.DType.SizeOf());
                _gemm.Value.Run(gemm, CudaType(colsType), CudaType(y.DType), scratch.Address, Address(w), yAddress, 0);
            }
        }
        finally
        {
            _pool.Return(scratch, _device.Stream);
        }

        if (bias is not null)
        {
            // y [N, O, Ho, Wo] += bias [O], in place.
            var shape = y.Shape;
            var biasOperand = new Operand(Address(bias), (int)bias.DType, [0, bias.Strides[0], 0, 0]);
            Binary(ElementwiseCodes.Binary(OpKind.Add), OutputOf(y), biasOperand, OutputOf(y), shape);
        }
    }

    private void Im2col(Tensor x, ulong xa, ulong ca, DType colsType, int images, int kh, int kw, int ho, int wo, Conv2dAttributes attributes)
    {
        int c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        long sN = x.Strides[0], sC = x.Strides[1], sH = x.Strides[2], sW = x.Strides[3];
        int xt = (int)x.DType, ct = (int)colsType;
        int strideH = attributes.Stride.H, strideW = attributes.Stride.W, padH = attributes.Padding.H, padW = attributes.Padding.W;
        int dilH = attributes.Dilation.H, dilW = attributes.Dilation.W;
        void** args = stackalloc void*[]
        {
            &xa, &xt, &sN, &sC, &sH, &sW, &ca, &ct, &images, &c, &h, &wd, &kh, &kw, &strideH, &strideW, &padH, &padW, &dilH, &dilW, &ho, &wo,
        };
        var total = (long)images * c * kh * kw * ho * wo;
        _kernels.Launch(_kernels.Function("conv", "im2col"), LaunchConfig.GridStride(total, _device.Multiprocessors), args, "im2col");
    }

    private static string? ConvUnsupported(ReadOnlySpan<Tensor> inputs, Tensor y, Conv2dAttributes attributes)
    {
        var x = inputs[0];
        var w = inputs[1];
        if (attributes.Groups != 1)
        {
            return $"with groups={attributes.Groups} (only 1)";
        }

        if (!IsFloat(x.DType) || !IsFloat(w.DType) || !IsFloat(y.DType) || (inputs.Length > 2 && !IsFloat(inputs[2].DType)))
        {
            return $"for {Dtypes(inputs, y)}";
        }

        if (x.DType != w.DType && x.DType != DType.Float32)
        {
            return $"for input {x.DType} with weight {w.DType} (same dtype, or float32 input with a float16/bfloat16 weight)";
        }

        return w.IsContiguous && y.IsContiguous ? null : "with a non-contiguous weight or output (make them contiguous first)";
    }
}
