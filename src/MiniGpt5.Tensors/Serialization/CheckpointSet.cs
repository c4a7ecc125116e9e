using System.Collections;
using System.Diagnostics.CodeAnalysis;
using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// All the tensors of a checkpoint, whatever its layout: one file (safetensors or PyTorch pickle, recognised
/// by content), a sharded folder with its index (Hugging Face <c>pytorch_model-0000x-of-0000y.bin</c> or
/// <c>model-0000x-of-0000y.safetensors</c>), a diffusers component folder (<c>unet/</c>, <c>vae/</c>), or
/// an explicit list of files. Every file is memory-mapped; disposing the set releases them (tensors that
/// took their own reference on a storage keep it alive).
/// </summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "A checkpoint is the domain noun; it is a dictionary of tensors only as a convenience.")]
public sealed class CheckpointSet : IReadOnlyDictionary<string, CheckpointTensor>, IDisposable
{
    // Weight file names in the order transformers/diffusers prefer them: safetensors first, index before single file.
    private static readonly string[] FolderCandidates =
    [
        "model.safetensors.index.json",
        "model.safetensors",
        "diffusion_pytorch_model.safetensors.index.json",
        "diffusion_pytorch_model.safetensors",
        "pytorch_model.bin.index.json",
        "pytorch_model.bin",
        "diffusion_pytorch_model.bin.index.json",
        "diffusion_pytorch_model.bin",
    ];

    private static readonly string[] CheckpointExtensions = [".safetensors", ".bin", ".pt", ".pth", ".ckpt"];

    private readonly List<ICheckpointFile> _files;
    private readonly OrderedTensorMap _tensors;
    private bool _disposed;

    private CheckpointSet(string source, List<ICheckpointFile> files, OrderedTensorMap tensors, ShardIndex? index)
    {
        Source = source;
        _files = files;
        _tensors = tensors;
        Index = index;
    }

    /// <summary>What was opened (file, folder or index), for messages.</summary>
    public string Source { get; }

    /// <summary>The opened files, in load order.</summary>
    public IReadOnlyList<ICheckpointFile> Files => _files;

    /// <summary>The shard index, when the checkpoint is sharded.</summary>
    public ShardIndex? Index { get; }

    /// <summary>The <c>__metadata__</c> of the safetensors files, merged (first file wins on conflicts).</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get
        {
            var merged = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in _files.OfType<SafetensorsFile>())
            {
                foreach (var (k, v) in file.Metadata)
                {
                    merged.TryAdd(k, v);
                }
            }

            return merged;
        }
    }

    /// <inheritdoc />
    public int Count => _tensors.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc />
    public IEnumerable<CheckpointTensor> Values => _tensors.Values;

    /// <inheritdoc />
    public CheckpointTensor this[string key] =>
        _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"Checkpoint '{Source}' has no tensor '{key}'.");

    /// <summary>
    /// Opens a checkpoint file, a shard index (<c>*.index.json</c>), or a folder holding either. In a folder
    /// the transformers/diffusers file names are looked for (safetensors preferred, with
    /// <see cref="CheckpointOpenOptions.Variant"/> applied); failing those, a single checkpoint file in it.
    /// </summary>
    public static CheckpointSet Open(string path, CheckpointOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= CheckpointOpenOptions.Default;
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return OpenFolder(full, options, cancellationToken);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Checkpoint '{full}' does not exist.", full);
        }

        return full.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase)
            ? OpenIndex(ShardIndex.Read(full), options, cancellationToken)
            : OpenFiles(full, [full], null, options, cancellationToken);
    }

    /// <summary>Opens several checkpoint files as one set; a key found in two files is an error.</summary>
    public static CheckpointSet Open(IEnumerable<string> files, CheckpointOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files.Select(Path.GetFullPath).ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("No checkpoint files given.", nameof(files));
        }

        return OpenFiles(string.Join(", ", list), list, null, options ?? CheckpointOpenOptions.Default, cancellationToken);
    }

    /// <summary>Opens one file as safetensors or PyTorch pickle, by its content.</summary>
    public static ICheckpointFile OpenFile(string path, CheckpointOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = CheckpointFormatDetector.Detect(path);
        var isSafetensors = format == CheckpointFileFormat.Safetensors ||
            (format == CheckpointFileFormat.Unknown && path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase));
        return isSafetensors
            ? SafetensorsFile.Open(path, cancellationToken)
            : TorchCheckpointFile.Open(path, options, cancellationToken);
    }

    /// <summary>Compares the tensors with what a model expects, without throwing.</summary>
    public KeyMatchReport Match(IEnumerable<ExpectedTensor> expected, KeyMatchOptions? options = null) =>
        CheckpointKeyMatcher.Match(this, expected, options);

    /// <summary>
    /// Strict loading check: throws <see cref="CheckpointKeyMismatchException"/> listing missing keys,
    /// unexpected keys and shape mismatches together, unless they are ignored by <paramref name="options"/>.
    /// </summary>
    public KeyMatchReport EnsureMatch(IEnumerable<ExpectedTensor> expected, KeyMatchOptions? options = null) =>
        CheckpointKeyMatcher.EnsureMatch(this, expected, Source, options);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out CheckpointTensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, CheckpointTensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases every file of the set.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }

    /// <summary>Applies a transformers/diffusers weight variant: "model.safetensors" + "fp16" is "model.fp16.safetensors".</summary>
    public static string AddVariant(string fileName, string? variant)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (string.IsNullOrEmpty(variant))
        {
            return fileName;
        }

        var parts = fileName.Split('.');
        return string.Join('.', parts[..^1].Append(variant).Append(parts[^1]));
    }

    private static CheckpointSet OpenFolder(string folder, CheckpointOpenOptions options, CancellationToken cancellationToken)
    {
        foreach (var candidate in FolderCandidates)
        {
            var path = Path.Combine(folder, AddVariant(candidate, options.Variant));
            if (File.Exists(path))
            {
                return path.EndsWith(".index.json", StringComparison.Ordinal)
                    ? OpenIndex(ShardIndex.Read(path), options, cancellationToken)
                    : OpenFiles(path, [path], null, options, cancellationToken);
            }
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(f => CheckpointExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 1)
        {
            return OpenFiles(files[0], files, null, options, cancellationToken);
        }

        if (File.Exists(Path.Combine(folder, "model_index.json")))
        {
            var components = Directory.EnumerateDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            throw new CheckpointFormatException(folder, null,
                $"this is a diffusers pipeline folder; open one component folder instead ({string.Join(", ", components)}).");
        }

        var variantNote = options.Variant is null ? string.Empty : $" (variant '{options.Variant}')";
        throw new CheckpointFormatException(folder, null, files.Count == 0
            ? $"the folder holds no checkpoint{variantNote}: no model.safetensors, pytorch_model.bin, diffusion_pytorch_model.*, index, or *.safetensors/.bin/.pt/.pth/.ckpt file."
            : $"the folder holds {files.Count} checkpoint files and no index saying how they fit together ({string.Join(", ", files.Select(Path.GetFileName))}); open the files you mean explicitly.");
    }

    private static CheckpointSet OpenIndex(ShardIndex index, CheckpointOpenOptions options, CancellationToken cancellationToken)
    {
        foreach (var shard in index.ShardFiles)
        {
            if (!File.Exists(shard))
            {
                throw new CheckpointFormatException(index.FilePath, index.WeightMap.First(kv => Path.Combine(Path.GetDirectoryName(index.FilePath)!, kv.Value) == shard).Key,
                    $"the index places this tensor in '{Path.GetFileName(shard)}', which does not exist.");
            }
        }

        return OpenFiles(index.FilePath, index.ShardFiles, index, options, cancellationToken);
    }

    private static CheckpointSet OpenFiles(string source, IReadOnlyList<string> paths, ShardIndex? index, CheckpointOpenOptions options, CancellationToken cancellationToken)
    {
        var files = new List<ICheckpointFile>();
        try
        {
            var all = new List<CheckpointTensor>();
            var owner = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = OpenFile(path, options, cancellationToken);
                files.Add(file);
                foreach (var tensor in file.Tensors.Values)
                {
                    if (!owner.TryAdd(tensor.Name, file.FilePath))
                    {
                        throw new CheckpointFormatException(file.FilePath, tensor.Name, $"the tensor is also in '{owner[tensor.Name]}'; shards must not overlap.");
                    }

                    all.Add(tensor);
                }
            }

            if (index is not null)
            {
                var folder = Path.GetDirectoryName(index.FilePath)!;
                foreach (var (key, shard) in index.WeightMap)
                {
                    var expectedFile = Path.Combine(folder, shard);
                    if (!owner.TryGetValue(key, out var actualFile))
                    {
                        throw new CheckpointFormatException(expectedFile, key, $"the index '{Path.GetFileName(index.FilePath)}' places this tensor in the shard, but the shard does not have it.");
                    }

                    if (!string.Equals(actualFile, expectedFile, StringComparison.Ordinal))
                    {
                        throw new CheckpointFormatException(actualFile, key, $"the index places this tensor in '{shard}' but it is in '{Path.GetFileName(actualFile)}'.");
                    }
                }
            }

            return new CheckpointSet(source, files, new OrderedTensorMap(all), index);
        }
        catch
        {
            foreach (var file in files)
            {
                file.Dispose();
            }

            throw;
        }
    }
}
