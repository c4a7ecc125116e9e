namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>A tensor to write: its name, dtype, shape and where its bytes come from.</summary>
public sealed class SafetensorsWriteEntry
{
    /// <summary>Describes a tensor whose packed bytes <paramref name="readData"/> supplies on demand.</summary>
    public SafetensorsWriteEntry(string name, DType dtype, long[] shape, SafetensorsDataSource readData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(readData);
        if (name == "__metadata__")
        {
            throw new ArgumentException("'__metadata__' is reserved by the safetensors header and cannot name a tensor.", nameof(name));
        }

        long count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count = checked(count * d);
        }

        Name = name;
        DType = dtype;
        Shape = shape;
        ReadData = readData;
        ByteLength = checked(count * dtype.SizeOf());
    }

    /// <summary>Key in the header.</summary>
    public string Name { get; }

    /// <summary>Element type written.</summary>
    public DType DType { get; }

    /// <summary>Shape written.</summary>
    public long[] Shape { get; }

    /// <summary>Supplies the packed bytes.</summary>
    public SafetensorsDataSource ReadData { get; }

    /// <summary>Bytes the tensor takes in the data section.</summary>
    public long ByteLength { get; }

    /// <summary>An entry whose bytes are already in memory, packed, little-endian.</summary>
    public static SafetensorsWriteEntry FromBytes(string name, DType dtype, long[] shape, ReadOnlyMemory<byte> bytes)
    {
        var entry = new SafetensorsWriteEntry(name, dtype, shape, (offset, destination) => bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination));
        if (entry.ByteLength != bytes.Length)
        {
            throw new ArgumentException($"Tensor '{name}' ({dtype.TorchName()} {CheckpointTensor.FormatShape(shape)}) needs {entry.ByteLength} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return entry;
    }

    /// <summary>
    /// An entry for a contiguous engine tensor on the CPU. The bytes are read when the entry is written, so the
    /// caller keeps <paramref name="tensor"/> alive (undisposed) until then.
    /// </summary>
    public static SafetensorsWriteEntry FromTensor(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.IsContiguous || tensor.Device.Kind != DeviceKind.Cpu)
        {
            throw new ArgumentException($"Tensor '{name}' must be contiguous and on the CPU to be written (call Contiguous() / To(Device.Cpu)).", nameof(tensor));
        }

        var shape = tensor.ShapeArray().Select(d => (long)d).ToArray();
        return new SafetensorsWriteEntry(name, tensor.DType, shape,
            (offset, destination) => tensor.HostBytes().Slice(checked((int)offset), destination.Length).CopyTo(destination));
    }

    /// <summary>
    /// An entry that packs a checkpoint tensor (any strides: views of shared storages are materialised) and,
    /// when <paramref name="convertTo"/> names another floating-point dtype, converts it on the way.
    /// </summary>
    public static SafetensorsWriteEntry FromTensor(CheckpointTensor tensor, DType? convertTo = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var target = convertTo ?? tensor.DType;
        if (!FloatConversion.CanConvert(tensor.DType, target))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' is {tensor.DType.TorchName()} and cannot be converted to {target.TorchName()}.", nameof(convertTo));
        }

        if (target == tensor.DType)
        {
            return new SafetensorsWriteEntry(name ?? tensor.Name, target, tensor.Shape,
                (offset, destination) => tensor.CopyTo(offset / target.SizeOf(), destination));
        }

        var sourceSize = tensor.DType.SizeOf();
        var targetSize = target.SizeOf();
        return new SafetensorsWriteEntry(name ?? tensor.Name, target, tensor.Shape, (offset, destination) =>
        {
            var first = offset / targetSize;
            var count = destination.Length / targetSize;
            var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(count * sourceSize);
            try
            {
                var source = scratch.AsSpan(0, count * sourceSize);
                tensor.CopyTo(first, source);
                FloatConversion.Convert(source, tensor.DType, destination, target);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        });
    }
}
