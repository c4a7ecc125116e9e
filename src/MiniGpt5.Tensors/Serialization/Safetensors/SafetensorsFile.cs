using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>
/// A safetensors file, memory-mapped read-only. The data section is one storage that every tensor views at
/// its offset, zero-copy; a tensor whose offset is not aligned for its dtype (only in files not written by
/// the reference writer) is copied into host memory instead.
/// </summary>
public sealed unsafe class SafetensorsFile : ICheckpointFile
{
    private readonly TensorStorage _data;
    private readonly List<TensorStorage> _copies;
    private bool _disposed;

    private SafetensorsFile(string filePath, SafetensorsHeader header, TensorStorage data, List<TensorStorage> copies, IReadOnlyDictionary<string, CheckpointTensor> tensors)
    {
        FilePath = filePath;
        Header = header;
        _data = data;
        _copies = copies;
        Tensors = tensors;
    }

    /// <inheritdoc />
    public string FilePath { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }

    /// <summary>Maps <paramref name="path"/> and validates its header; errors name the file and the tensor key.</summary>
    public static SafetensorsFile Open(string path, CancellationToken cancellationToken = default)
    {
        var mapping = MemoryMappedFileStorage.Open(path);
        TensorStorage? data = null;
        var copies = new List<TensorStorage>();
        try
        {
            var full = mapping.FilePath;
            var bytes = new MappedBytes(mapping, full);
            var headLength = Math.Min(bytes.Length, 8 + SafetensorsHeader.MaxHeaderLength);
            if (bytes.Length >= 8)
            {
                headLength = Math.Min(headLength, 8 + (long)Math.Min(BitConverter.ToUInt64(bytes.Span(0, 8, "header length")), (ulong)SafetensorsHeader.MaxHeaderLength));
            }

            var header = SafetensorsHeader.Parse(bytes.Span(0, headLength, "header"), bytes.Length, full);
            data = new StorageSlice(mapping, header.DataOffset, bytes.Length - header.DataOffset);
            var tensors = new List<CheckpointTensor>(header.Tensors.Count);
            foreach (var info in header.Tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var size = info.DType.SizeOf();
                var storage = data;
                var offset = info.Begin;
                if (info.Begin % size != 0 || (long)data.Pointer % size != 0)
                {
                    // Not aligned for its dtype inside the shared data storage (a header not padded to 8
                    // bytes, as the reference writer pads it): give the tensor its own aligned view, or a copy.
                    storage = StorageCopies.ViewOrCopy(mapping, header.DataOffset + info.Begin, info.End - info.Begin, size);
                    copies.Add(storage);
                    offset = 0;
                }

                tensors.Add(new CheckpointTensor(info.Name, info.DType, info.Shape, ContiguousStrides(info.Shape), offset / size, storage, full));
            }

            // The slice holds the mapping alive; this object only keeps the slice (and any copies).
            mapping.Release();
            return new SafetensorsFile(full, header, data, copies, new OrderedTensorMap(tensors));
        }
        catch
        {
            foreach (var copy in copies)
            {
                copy.Release();
            }

            data?.Release();
            mapping.Release();
            throw;
        }
    }

    /// <summary>Row-major strides, in elements, of a dense tensor of <paramref name="shape"/>.</summary>
    public static long[] ContiguousStrides(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var strides = new long[shape.Count];
        long step = 1;
        for (var d = shape.Count - 1; d >= 0; d--)
        {
            strides[d] = step;
            step *= Math.Max(shape[d], 1);
        }

        return strides;
    }

    /// <summary>Releases this file's references; tensors others retained stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var copy in _copies)
        {
            copy.Release();
        }

        _data.Release();
    }
}
