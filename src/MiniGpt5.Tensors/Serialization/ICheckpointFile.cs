namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// One opened checkpoint file. It owns the memory its tensors view: disposing it releases that memory,
/// except where a tensor took its own reference on the storage.
/// </summary>
public interface ICheckpointFile : IDisposable
{
    /// <summary>Full path of the file.</summary>
    string FilePath { get; }

    /// <summary>The tensors, by key, in the file's order.</summary>
    IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }
}
