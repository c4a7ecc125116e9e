namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// A PyTorch storage named by a pickle's persistent id: which record holds its bytes, their dtype and
/// element count. It is only a reference; the checkpoint reader maps the bytes when a tensor needs them.
/// </summary>
public sealed class TorchStorageRef
{
    internal TorchStorageRef(string key, DType dtype, string storageType, string location, long elementCount, TorchStorageRef? viewOf = null, long viewOffset = 0)
    {
        Key = key;
        DType = dtype;
        StorageType = storageType;
        Location = location;
        ElementCount = elementCount;
        ViewOf = viewOf;
        ViewOffset = viewOffset;
    }

    /// <summary>The record key: the zip entry "data/{Key}", or the legacy format's storage key.</summary>
    public string Key { get; }

    /// <summary>Element type of the storage.</summary>
    public DType DType { get; }

    /// <summary>The storage class the pickle named ("torch.HalfStorage").</summary>
    public string StorageType { get; }

    /// <summary>Where the tensor lived when saved ("cpu", "cuda:0"); the reader always loads to host memory.</summary>
    public string Location { get; }

    /// <summary>Number of elements of <see cref="DType"/> in the storage.</summary>
    public long ElementCount { get; }

    /// <summary>Legacy format only: the storage this one is a view of, or null.</summary>
    public TorchStorageRef? ViewOf { get; }

    /// <summary>Legacy format only: where this view starts inside <see cref="ViewOf"/>, in elements.</summary>
    public long ViewOffset { get; }

    /// <inheritdoc />
    public override string ToString() => $"{StorageType}(key={Key}, {ElementCount} elements, {Location})";
}
