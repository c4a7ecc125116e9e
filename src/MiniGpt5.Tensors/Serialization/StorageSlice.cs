namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// A window of another storage (one zip entry of a memory-mapped checkpoint, the data section of a
/// safetensors file). It holds a reference on its parent for as long as it lives, so the parent's memory
/// stays valid while any tensor views the slice.
/// </summary>
public sealed class StorageSlice : TensorStorage
{
    private readonly TensorStorage _parent;

    /// <summary>Views <paramref name="byteLength"/> bytes of <paramref name="parent"/> from <paramref name="byteOffset"/>.</summary>
    public StorageSlice(TensorStorage parent, long byteOffset, long byteLength)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentOutOfRangeException.ThrowIfNegative(byteOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        if (byteOffset > parent.ByteLength - byteLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(byteLength),
                $"Slice [{byteOffset}, {byteOffset + byteLength}) does not fit in a storage of {parent.ByteLength} bytes.");
        }

        parent.Retain();
        _parent = parent;
        ByteOffset = byteOffset;
        ByteLength = byteLength;
    }

    /// <summary>Offset of the slice inside its parent, in bytes.</summary>
    public long ByteOffset { get; }

    /// <inheritdoc />
    public override nint Pointer => _parent.Pointer + (nint)ByteOffset;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    public override Device Device => _parent.Device;

    /// <inheritdoc />
    public override bool IsWritable => _parent.IsWritable;

    /// <inheritdoc />
    protected override void Free() => _parent.Release();
}
