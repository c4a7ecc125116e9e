using MiniGpt5.Tensors.Serialization.Pickle;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// A PyTorch checkpoint (.pt, .pth, .bin, .ckpt) opened without Python: the file is memory-mapped, its
/// pickle read by a restricted unpickler that rebuilds only tensors, containers and plain data, and each
/// storage record is viewed in place. <see cref="Tensors"/> is the chosen state dictionary, flattened;
/// <see cref="Root"/> is the whole unpickled object (epoch, hyper-parameters, ...).
/// </summary>
public sealed class TorchCheckpointFile : ICheckpointFile
{
    private readonly TensorStorage _mapping;
    private readonly List<TensorStorage> _storages;
    private bool _disposed;

    private TorchCheckpointFile(
        string filePath, CheckpointFileFormat format, TensorStorage mapping, List<TensorStorage> storages, object? root,
        string stateDictPath, IReadOnlyDictionary<string, CheckpointTensor> tensors, IReadOnlyList<string> skipped)
    {
        FilePath = filePath;
        Format = format;
        _mapping = mapping;
        _storages = storages;
        Root = root;
        StateDictPath = stateDictPath;
        Tensors = tensors;
        SkippedEntries = skipped;
    }

    /// <inheritdoc />
    public string FilePath { get; }

    /// <summary><see cref="CheckpointFileFormat.TorchZip"/> or <see cref="CheckpointFileFormat.TorchLegacy"/>.</summary>
    public CheckpointFileFormat Format { get; }

    /// <summary>
    /// The whole unpickled object as inert values (see <see cref="PickleDictionary"/>); tensors appear as
    /// <see cref="TorchTensorRef"/>.
    /// </summary>
    public object? Root { get; }

    /// <summary>Where in <see cref="Root"/> the tensors were taken from ("state_dict", "model", or "" for the top level).</summary>
    public string StateDictPath { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }

    /// <summary>Dotted names of non-tensor values inside the chosen dictionary that were left out.</summary>
    public IReadOnlyList<string> SkippedEntries { get; }

    /// <summary>Opens a PyTorch checkpoint; the format is recognised from the file's first bytes.</summary>
    public static TorchCheckpointFile Open(string path, CheckpointOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= CheckpointOpenOptions.Default;
        var allowList = new PickleAllowList(options.InertClasses);
        var mapping = MemoryMappedFileStorage.Open(path);
        var storages = new List<TensorStorage>();
        try
        {
            var full = mapping.FilePath;
            var head = new MappedBytes(mapping, full).Span(0, Math.Min(512, mapping.ByteLength), "file header");
            var format = CheckpointFormatDetector.Detect(head);
            ITorchStorageSource source = format switch
            {
                CheckpointFileFormat.TorchZip => TorchZipArchive.Open(mapping, full, allowList, options, cancellationToken),
                CheckpointFileFormat.TorchLegacy => TorchLegacyArchive.Open(mapping, full, allowList, cancellationToken),
                CheckpointFileFormat.TorchTar => throw new CheckpointFormatException(full, null,
                    "this is the tar checkpoint layout of PyTorch before 0.4, which is not supported; load and re-save it with a recent PyTorch."),
                CheckpointFileFormat.Safetensors => throw new CheckpointFormatException(full, null,
                    "this is a safetensors file, not a PyTorch pickle; open it with SafetensorsFile or CheckpointSet."),
                _ => throw new CheckpointFormatException(full, null,
                    "not a PyTorch checkpoint: neither a torch.save zip archive nor a legacy torch.save pickle (first bytes " +
                    Convert.ToHexString(head[..Math.Min(8, head.Length)]) + ")."),
            };

            var (node, chosen) = StateDictSelector.Select(source.Root, options.StateDictKey, full);
            var (refs, skipped) = StateDictSelector.Flatten(node, full);
            var byKey = new Dictionary<string, TensorStorage>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
            foreach (var (name, tensor) in refs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!byKey.TryGetValue(tensor.Storage.Key, out var storage))
                {
                    storage = source.CreateStorage(tensor.Storage, cancellationToken);
                    storages.Add(storage);
                    byKey.Add(tensor.Storage.Key, storage);
                }

                tensors.Add(name, new CheckpointTensor(name, tensor.Storage.DType, tensor.Shape, tensor.Strides, tensor.StorageOffset, storage, full));
            }

            return new TorchCheckpointFile(full, format, mapping, storages, source.Root, chosen, new OrderedTensorMap(refs.Select(r => tensors[r.Key])), skipped);
        }
        catch
        {
            foreach (var storage in storages)
            {
                storage.Release();
            }

            mapping.Release();
            throw;
        }
    }

    /// <summary>Releases this file's references on its memory; tensors others retained stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var storage in _storages)
        {
            storage.Release();
        }

        _mapping.Release();
    }
}
