using MiniGpt5.Tensors.Cuda.Kernels;

namespace MiniGpt5.Tensors.Cuda;

// Elementwise ops: each operand is an address, a dtype code and its strides broadcast to the output's shape;
// ElementwiseLayout folds them before launch.
public sealed unsafe partial class CudaBackend
{
    private readonly record struct Operand(ulong Address, int Type, long[] Strides);

    private static Operand Of(Tensor tensor, ReadOnlySpan<int> shape) => new(Address(tensor), (int)tensor.DType, BroadcastStrides(tensor, shape));

    private static Operand OutputOf(Tensor tensor) => new(Address(tensor), (int)tensor.DType, tensor.Strides.ToArray());

    /// <summary>The tensor's strides for iterating <paramref name="shape"/> (right-aligned, 0 on broadcast dims).</summary>
    internal static long[] BroadcastStrides(Tensor tensor, ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        var offset = shape.Length - tensor.Rank;
        for (var d = 0; d < tensor.Rank; d++)
        {
            strides[offset + d] = tensor.Shape[d] == 1 && shape[offset + d] != 1 ? 0 : tensor.Strides[d];
        }

        return strides;
    }

    private void Unary(int code, Tensor? x, Tensor y, float a, float b)
    {
        var shape = y.Shape;
        Unary(code, x is null ? null : Of(x, shape), OutputOf(y), shape, a, b);
    }

    private void Unary(int code, Operand? x, Operand y, ReadOnlySpan<int> shape, float a, float b)
    {
        List<long[]> strides = x is { } input ? [y.Strides, input.Strides] : [y.Strides];
        var layout = ElementwiseLayout.Fold(shape, strides);
        var native = layout.ToNative("elementwise");
        var n = layout.Count;
        var yAddress = y.Address;
        var yType = y.Type;
        var xAddress = x?.Address ?? 0UL;
        var xType = x?.Type ?? 0;
        void** args = stackalloc void*[] { &native, &n, &yAddress, &yType, &xAddress, &xType, &code, &a, &b };
        _kernels.Launch(_kernels.Function("elementwise", "ew_unary"), LaunchConfig.GridStride(n, _device.Multiprocessors), args, "ew_unary");
    }

    private void Binary(int code, Tensor left, Tensor right, Tensor y)
    {
        var shape = y.Shape;
        Binary(code, Of(left, shape), Of(right, shape), OutputOf(y), shape);
    }

    private void Binary(int code, Operand left, Operand right, Operand y, ReadOnlySpan<int> shape)
    {
        var layout = ElementwiseLayout.Fold(shape, [y.Strides, left.Strides, right.Strides]);
        var native = layout.ToNative("elementwise");
        var n = layout.Count;
        var yAddress = y.Address;
        var yType = y.Type;
        var aAddress = left.Address;
        var aType = left.Type;
        var bAddress = right.Address;
        var bType = right.Type;
        void** args = stackalloc void*[] { &native, &n, &yAddress, &yType, &aAddress, &aType, &bAddress, &bType, &code };
        _kernels.Launch(_kernels.Function("elementwise", "ew_binary"), LaunchConfig.GridStride(n, _device.Multiprocessors), args, "ew_binary");
    }

    private void Where(Tensor condition, Tensor x, Tensor other, Tensor y)
    {
        var shape = y.Shape;
        Operand o = OutputOf(y), c = Of(condition, shape), a = Of(x, shape), b = Of(other, shape);
        var layout = ElementwiseLayout.Fold(shape, [o.Strides, c.Strides, a.Strides, b.Strides]);
        var native = layout.ToNative("Where");
        var n = layout.Count;
        ulong yAddress = o.Address, cAddress = c.Address, aAddress = a.Address, bAddress = b.Address;
        int yType = o.Type, cType = c.Type, aType = a.Type, bType = b.Type;
        void** args = stackalloc void*[] { &native, &n, &yAddress, &yType, &cAddress, &cType, &aAddress, &aType, &bAddress, &bType };
        _kernels.Launch(_kernels.Function("elementwise", "ew_where"), LaunchConfig.GridStride(n, _device.Multiprocessors), args, "ew_where");
    }

    private void MaskedFill(Tensor x, Tensor mask, float value, Tensor y)
    {
        var shape = y.Shape;
        Operand o = OutputOf(y), a = Of(x, shape), m = Of(mask, shape);
        var layout = ElementwiseLayout.Fold(shape, [o.Strides, a.Strides, m.Strides]);
        var native = layout.ToNative("MaskedFill");
        var n = layout.Count;
        ulong yAddress = o.Address, xAddress = a.Address, mAddress = m.Address;
        int yType = o.Type, xType = a.Type, mType = m.Type;
        void** args = stackalloc void*[] { &native, &n, &yAddress, &yType, &xAddress, &xType, &mAddress, &mType, &value };
        _kernels.Launch(_kernels.Function("elementwise", "ew_masked_fill"), LaunchConfig.GridStride(n, _device.Multiprocessors), args, "ew_masked_fill");
    }

    private static long[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }

        return strides;
    }
}
