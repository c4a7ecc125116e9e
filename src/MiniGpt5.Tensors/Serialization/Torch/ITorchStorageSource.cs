using MiniGpt5.Tensors.Serialization.Pickle;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>A parsed PyTorch checkpoint: its unpickled object tree and a way to get the bytes of each storage.</summary>
internal interface ITorchStorageSource
{
    /// <summary>The unpickled top-level object.</summary>
    object? Root { get; }

    /// <summary>
    /// The memory of one storage, with one reference owned by the caller: a zero-copy slice of the mapped
    /// file where the record allows it, otherwise a host copy (deflated, byte-swapped or misaligned records).
    /// </summary>
    TensorStorage CreateStorage(TorchStorageRef storage, CancellationToken cancellationToken);
}
