using System.Runtime.InteropServices;
using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Factories. None of them is recorded for autograd (they have no tensor inputs).
public sealed partial class Tensor
{
    /// <summary>An uninitialised contiguous tensor.</summary>
    public static Tensor Empty(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device device = default) =>
        Allocate(shape, dtype, device, zeroed: false);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device device = default) =>
        Allocate(shape, dtype, device, zeroed: true);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device device = default) =>
        Full(shape, 1.0, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/> (converted to the dtype as PyTorch does).</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, double value, DType dtype = DType.Float32, Device device = default)
    {
        var result = Allocate(shape, dtype, device, zeroed: false);
        Backends.For(device).Execute(OpKind.Fill, [], [result], new ScalarAttributes(value));
        return result;
    }

    /// <summary>An uninitialised tensor with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor EmptyLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Empty(like.Shape, like.DType, like.Device);
    }

    /// <summary>A zero tensor with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Zeros(like.Shape, like.DType, like.Device);
    }

    /// <summary>A 0-dim tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device device = default) => Full([], value, dtype, device);

    /// <summary>A tensor holding a copy of <paramref name="data"/>; the dtype follows the element type
    /// (float, Half, BFloat16, int, long, bool, double, byte, sbyte, short).</summary>
    /// <exception cref="TensorShapeException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static Tensor FromArray<T>(ReadOnlySpan<T> data, ReadOnlySpan<int> shape, Device device = default)
        where T : unmanaged
    {
        var dtype = ElementTypes.DTypeOf<T>();
        if (ShapeMath.NumElements(shape) != data.Length)
        {
            throw new TensorShapeException($"FromArray: {data.Length} values do not fill shape {ShapeMath.Format(shape)}.");
        }

        var bytes = MemoryMarshal.AsBytes(data);
        var result = Allocate(shape, dtype, device, zeroed: false);
        if (device.Kind == DeviceKind.Cpu)
        {
            bytes.CopyTo(result.HostBytes());
        }
        else
        {
            Backends.For(device).CopyFromHost(bytes, result.Storage, 0);
        }

        return result;
    }

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray<T>(T[] data, Device device = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromArray<T>(data, [data.Length], device);
    }

    /// <summary>Float values stored as <paramref name="dtype"/> (rounded like <see cref="To(DType)"/>).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, ReadOnlySpan<int> shape, DType dtype, Device device = default)
    {
        if (dtype == DType.Float32)
        {
            return FromArray(data, shape, device);
        }

        using var floats = FromArray(data, shape, device);
        return floats.To(dtype);
    }

    /// <summary>torch.arange(end): 0, 1, ..., end-1 as int64 (or another dtype).</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64, Device device = default) => Arange(0, end, 1, dtype, device);

    /// <summary>torch.arange(start, end, step): values start + i·step below end (above end for negative steps).</summary>
    public static Tensor Arange(double start, double end, double step, DType dtype = DType.Int64, Device device = default)
    {
        if (step == 0 || double.IsNaN(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "Arange: step must be non-zero.");
        }

        var count = checked((int)Math.Max(0, Math.Ceiling((end - start) / step)));
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = start + (i * step);
        }

        using var doubles = FromArray<double>(values, [count]);
        using var onDevice = doubles.To(dtype);
        return onDevice.To(device);
    }

    /// <summary>Standard normal samples, bit-compatible with <c>torch.manual_seed(seed); torch.randn(shape)</c> for
    /// float32 (other dtypes are drawn as float32 and rounded).</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device device = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var values = new float[ShapeMath.NumElements(shape)];
        generator.FillNormal(values);
        using var floats = FromArray<float>(values, shape);
        using var typed = floats.To(dtype);
        return typed.To(device);
    }

    /// <summary>Uniform samples in [0, 1) (<c>torch.rand</c>).</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device device = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var values = new float[ShapeMath.NumElements(shape)];
        generator.FillUniform(values);
        using var floats = FromArray<float>(values, shape);
        using var typed = floats.To(dtype);
        return typed.To(device);
    }

    /// <summary>
    /// A contiguous CPU copy of <paramref name="source"/> converted to <paramref name="dtype"/>, in memory advised for
    /// huge pages (<see cref="NativeStorage"/>): for weights streamed end to end every step, such as an LLM's while
    /// decoding, which read markedly slower through a memory-mapped checkpoint's 4 KiB page-cache pages.
    /// </summary>
    public static Tensor ResidentCopy(Tensor source, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Device.Kind != DeviceKind.Cpu)
        {
            throw new TensorDeviceException($"ResidentCopy makes host copies; the source is on {source.Device}.");
        }

        var shapeArray = source.ShapeArray();
        var bytes = checked(ShapeMath.NumElements(shapeArray) * dtype.SizeOf());
        var copy = Adopt(new NativeStorage(bytes, zero: false, hugePages: true), dtype, shapeArray);
        try
        {
            return Ops.CopyInto(copy, source);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private static Tensor Allocate(ReadOnlySpan<int> shape, DType dtype, Device device, bool zeroed)
    {
        var shapeArray = shape.ToArray();
        var bytes = checked(ShapeMath.NumElements(shapeArray) * dtype.SizeOf());
        var storage = Backends.For(device).Allocate(bytes, zeroed);
        return Adopt(storage, dtype, shapeArray);
    }
}
