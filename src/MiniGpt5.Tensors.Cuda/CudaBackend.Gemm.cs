using MiniGpt5.Tensors.Cuda.Gemm;
using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda;

// Linear and Matmul on cuBLASLt. A float32 activation against a float16/bfloat16 weight (or an activation whose
// rows are not contiguous) is first cast or copied into a stream-ordered scratch block in the weight's dtype, so the GEMM runs on tensor cores with f32 accumulation and
// the weight is never widened.
public sealed unsafe partial class CudaBackend
{
    private void Linear(Tensor x, Tensor w, Tensor? bias, Tensor y)
    {
        var xShape = x.Shape;
        var xStrides = x.Strides.ToArray();
        var xAddress = Address(x);
        Memory.DeviceBlock? staged = null;
        try
        {
            // A transposed or permuted activation (attention's [B, C, HW] → [B, HW, C]) is copied into rows first,
            // in the same pass as the cast when the weight is half precision.
            var plan = GemmPlanner.Linear(xShape, xStrides, w.Shape, w.Strides, out var reason);
            if (x.DType != w.DType || plan is null)
            {
                staged = Stage(x, w.DType, out xAddress);
                xStrides = ContiguousStrides(xShape);
                plan = GemmPlanner.Linear(xShape, xStrides, w.Shape, w.Strides, out reason);
            }

            var gemm = plan ?? throw new CudaOpNotSupportedException(Dispatch.OpKind.Linear, reason ?? "for this layout");
            var fuseBias = bias is not null && bias.DType == y.DType && bias.IsContiguous;
            _gemm.Value.Run(gemm, CudaType(w.DType), CudaType(y.DType), Address(w), xAddress, Address(y), fuseBias ? Address(bias) : 0);
            if (bias is not null && !fuseBias)
            {
                // y[..., n] += bias[n], in place (identical offsets, so each element is read before it is written).
                var shape = y.Shape;
                Binary(ElementwiseCodes.Binary(Dispatch.OpKind.Add), OutputOf(y), Of(bias, shape), OutputOf(y), shape);
            }
        }
        finally
        {
            if (staged is not null)
            {
                _pool.Return(staged, _device.Stream);
            }
        }
    }

    private void Matmul(Tensor a, Tensor b, Tensor y)
    {
        var aAddress = Address(a);
        var aStrides = a.Strides.ToArray();
        Memory.DeviceBlock? staged = null;
        try
        {
            if (a.DType != b.DType)
            {
                staged = Stage(a, b.DType, out aAddress);
                aStrides = ContiguousStrides(a.Shape);
            }

            var plan = PlanMatmul(a, b, y, aStrides, out var reason)
                ?? throw new CudaOpNotSupportedException(Dispatch.OpKind.Matmul, reason ?? "for this layout");

            // Column-major: A is the engine's right operand, B its left (Cᵀ = bᵀ·aᵀ).
            _gemm.Value.Run(plan, CudaType(b.DType), CudaType(y.DType), Address(b), aAddress, Address(y), 0);
        }
        finally
        {
            if (staged is not null)
            {
                _pool.Return(staged, _device.Stream);
            }
        }
    }

    private static ColumnMajorGemm? PlanMatmul(Tensor a, Tensor b, Tensor y, long[] aStrides, out string? reason)
    {
        // y [...batch, m, n]; a and b broadcast over y's batch dims.
        var m = a.Shape[^2];
        var k = a.Shape[^1];
        var n = b.Shape[^1];
        var batch = y.Shape[..^2];
        int[] aShape = [.. batch, m, k];
        int[] bShape = [.. batch, k, n];
        var aFull = new long[aShape.Length];
        var offset = aShape.Length - a.Rank;
        for (var d = 0; d < a.Rank; d++)
        {
            aFull[offset + d] = a.Shape[d] == 1 && aShape[offset + d] != 1 ? 0 : aStrides[d];
        }

        return GemmPlanner.Matmul(batch, m, k, n, aFull, BroadcastStrides(b, bShape), out reason);
    }

    /// <summary>Casts <paramref name="x"/> into a contiguous scratch block of <paramref name="dtype"/>.</summary>
    private Memory.DeviceBlock Stage(Tensor x, DType dtype, out ulong address)
    {
        var shape = x.Shape;
        var block = _pool.Rent(x.NumElements * dtype.SizeOf(), _device.Stream);
        address = block.Address;
        Unary(ElementwiseCodes.Copy, Of(x, shape), new Operand(block.Address, (int)dtype, ContiguousStrides(shape)), shape, 0, 0);
        return block;
    }

    private static int CudaType(DType dtype) => dtype switch
    {
        DType.Float32 => CublasLtApi.DataTypeF32,
        DType.Float16 => CublasLtApi.DataTypeF16,
        DType.BFloat16 => CublasLtApi.DataTypeBf16,
        _ => throw new CudaOpNotSupportedException($"cuBLASLt GEMMs take float32, float16 or bfloat16, not {dtype}."),
    };
}
