using System.Globalization;
using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// One tensor of a checkpoint, described without committing to the engine's tensor type: its name, dtype,
/// shape, strides and element offset (both in elements, PyTorch style) and the storage whose bytes it views.
/// The storage belongs to the checkpoint that produced this description; whoever keeps the tensor beyond the
/// checkpoint's lifetime takes a reference on <see cref="Storage"/> (<see cref="TensorStorage.Retain"/>).
/// Shape and strides are shared arrays: treat them as read-only.
/// </summary>
public sealed unsafe class CheckpointTensor
{
    /// <summary>
    /// Describes a view and checks that every element it can reach lies inside <paramref name="storage"/>;
    /// a view that does not fit fails with an error naming <paramref name="sourceFile"/> and <paramref name="name"/>.
    /// </summary>
    public CheckpointTensor(string name, DType dtype, long[] shape, long[] strides, long elementOffset, TensorStorage storage, string sourceFile)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(strides);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(sourceFile);
        Name = name;
        DType = dtype;
        Shape = shape;
        Strides = strides;
        ElementOffset = elementOffset;
        Storage = storage;
        SourceFile = sourceFile;
        ElementCount = Validate();
    }

    /// <summary>The key the checkpoint stores the tensor under (for pickles: the dotted path inside the chosen dictionary).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Size of each dimension; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Step between neighbours along each dimension, in elements.</summary>
    public long[] Strides { get; }

    /// <summary>Index of element [0, 0, ...] inside <see cref="Storage"/>, in elements.</summary>
    public long ElementOffset { get; }

    /// <summary>The memory the tensor views (a memory-mapped file region, or host memory for converted data).</summary>
    public TensorStorage Storage { get; }

    /// <summary>The file the tensor was read from.</summary>
    public string SourceFile { get; }

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes the tensor occupies once packed densely.</summary>
    public long ByteLength => ElementCount * DType.SizeOf();

    /// <summary>Offset of element [0, 0, ...] inside <see cref="Storage"/>, in bytes.</summary>
    public long ByteOffset => ElementOffset * DType.SizeOf();

    /// <summary>True when the elements lie densely in row-major order (dimensions of size 1 may have any stride).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Strides[d] != expected)
                {
                    return false;
                }

                expected *= Shape[d];
            }

            return true;
        }
    }

    /// <summary>The shape as PyTorch prints it: [4096, 768].</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats a shape as [a, b, c].</summary>
    public static string FormatShape(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return "[" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType.TorchName()} {ShapeText}";

    /// <summary>The tensor's bytes in place, without copying. Only for contiguous tensors under 2 GiB.</summary>
    public ReadOnlySpan<byte> GetContiguousBytes()
    {
        if (!IsContiguous)
        {
            throw new InvalidOperationException(
                $"Tensor '{Name}' from '{SourceFile}' is a strided view (shape {ShapeText}, strides {FormatShape(Strides)}); copy it with CopyTo.");
        }

        if (ByteLength > int.MaxValue)
        {
            throw new InvalidOperationException($"Tensor '{Name}' from '{SourceFile}' has {ByteLength} bytes; read it in chunks with CopyTo(firstElement, destination).");
        }

        return new ReadOnlySpan<byte>(FirstElement(), (int)ByteLength);
    }

    /// <summary>Packs all elements, row-major, into <paramref name="destination"/> (at least <see cref="ByteLength"/> bytes).</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"Destination has {destination.Length} bytes; tensor '{Name}' needs {ByteLength}.", nameof(destination));
        }

        CopyTo(0, destination[..(int)ByteLength]);
    }

    /// <summary>
    /// Packs elements from row-major index <paramref name="firstElement"/> on into <paramref name="destination"/>,
    /// as many as fit in it (its length must be a whole number of elements). Lets callers stream tensors of any size.
    /// </summary>
    public void CopyTo(long firstElement, Span<byte> destination)
    {
        var size = DType.SizeOf();
        if (destination.Length % size != 0)
        {
            throw new ArgumentException($"Destination length {destination.Length} is not a multiple of the element size {size}.", nameof(destination));
        }

        var count = destination.Length / size;
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        if (firstElement > ElementCount - count)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"Elements [{firstElement}, {firstElement + count}) are outside tensor '{Name}' of {ElementCount} elements.");
        }

        fixed (byte* to = destination)
        {
            StridedCopy.Gather(FirstElement(), size, Shape, Strides, firstElement, count, to);
        }
    }

    /// <summary>Copies the tensor into a new array; <typeparamref name="T"/> must have the dtype's size (float for Float32, Half for Float16...).</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        if (sizeof(T) != DType.SizeOf())
        {
            throw new InvalidOperationException($"Tensor '{Name}' holds {DType.TorchName()} ({DType.SizeOf()} bytes per element); {typeof(T).Name} has {sizeof(T)}.");
        }

        var result = new T[checked((int)ElementCount)];
        CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    private byte* FirstElement()
    {
        if (Storage.ReferenceCount <= 0)
        {
            throw new ObjectDisposedException(nameof(CheckpointTensor), $"The checkpoint holding tensor '{Name}' ('{SourceFile}') was disposed.");
        }

        return (byte*)Storage.Pointer + ByteOffset;
    }

    private long Validate()
    {
        if (Shape.Length != Strides.Length)
        {
            throw Invalid($"shape {ShapeText} has {Shape.Length} dimensions but strides {FormatShape(Strides)} have {Strides.Length}.");
        }

        if (ElementOffset < 0)
        {
            throw Invalid($"negative storage offset {ElementOffset}.");
        }

        long count = 1;
        long last = ElementOffset;
        try
        {
            for (var d = 0; d < Shape.Length; d++)
            {
                if (Shape[d] < 0)
                {
                    throw Invalid($"negative size in shape {ShapeText}.");
                }

                if (Strides[d] < 0)
                {
                    throw Invalid($"negative stride in {FormatShape(Strides)}.");
                }

                count = checked(count * Shape[d]);
                if (Shape[d] > 0)
                {
                    last = checked(last + ((Shape[d] - 1) * Strides[d]));
                }
            }

            var size = DType.SizeOf();
            // An empty tensor reaches no element; its offset may sit at the very end of the storage.
            var needed = count == 0 ? checked(ElementOffset * size) : checked((last + 1) * size);
            if (needed > Storage.ByteLength)
            {
                throw Invalid(
                    $"the view (offset {ElementOffset}, shape {ShapeText}, strides {FormatShape(Strides)}, {DType.TorchName()}) " +
                    $"reaches byte {needed} but its storage has only {Storage.ByteLength} bytes; the file is truncated or corrupted.");
            }
        }
        catch (OverflowException e)
        {
            throw Invalid($"shape {ShapeText} with strides {FormatShape(Strides)} overflows 64-bit sizes.", e);
        }

        return count;
    }

    private CheckpointFormatException Invalid(string detail, Exception? inner = null) => new(SourceFile, Name, detail, inner);
}
