using System.Runtime.InteropServices;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Typed access to the elements of CPU tensors.
public sealed partial class Tensor
{
    /// <summary>The elements of a contiguous CPU tensor as a span of <typeparamref name="T"/> (float for float32, Half,
    /// BFloat16, int, long, bool, ...). Writes go straight to the storage.</summary>
    /// <exception cref="TensorDTypeException"><typeparamref name="T"/> is not this tensor's element type.</exception>
    /// <exception cref="InvalidOperationException">The tensor is not contiguous (call <see cref="Contiguous"/>).</exception>
    /// <exception cref="TensorDeviceException">The tensor is not on the CPU.</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        CheckElementType<T>(nameof(AsSpan));
        if (!IsContiguous)
        {
            throw new InvalidOperationException(
                $"AsSpan: tensor {Describe()} with strides [{string.Join(", ", _strides)}] is not contiguous; call Contiguous() first.");
        }

        return MemoryMarshal.Cast<byte, T>(HostBytes());
    }

    /// <summary>The elements in row-major order (copied; works for any layout and device).</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        CheckElementType<T>(nameof(ToArray));
        using var host = Device.Kind == DeviceKind.Cpu ? Contiguous() : To(Device.Cpu);
        using var contiguous = host.Contiguous();
        return contiguous.AsSpan<T>().ToArray();
    }

    /// <summary>The elements converted to float, in row-major order (any dtype).</summary>
    public float[] ToFloatArray()
    {
        using var floats = To(DType.Float32);
        return floats.ToArray<float>();
    }

    /// <summary>The single element of a one-element tensor.</summary>
    public T Item<T>()
        where T : unmanaged
    {
        if (NumElements != 1)
        {
            throw new TensorShapeException($"Item: tensor {Describe()} has {NumElements} elements, not 1.");
        }

        return ToArray<T>()[0];
    }

    /// <summary>The bytes of a contiguous CPU tensor's elements.</summary>
    internal unsafe Span<byte> HostBytes()
    {
        if (Device.Kind != DeviceKind.Cpu)
        {
            throw new TensorDeviceException($"Tensor {Describe()} is not in host memory; copy it with To(Device.Cpu) first.");
        }

        var length = checked((int)(NumElements * DType.SizeOf()));
        return new Span<byte>((void*)DataPointer, length);
    }

    private void CheckElementType<T>(string operation)
        where T : unmanaged
    {
        var requested = ElementTypes.DTypeOf<T>();
        if (requested != DType)
        {
            throw new TensorDTypeException(
                $"{operation}: tensor {Describe()} holds {DType.TorchName()} elements, not {typeof(T).Name} ({requested.TorchName()}).");
        }
    }
}
