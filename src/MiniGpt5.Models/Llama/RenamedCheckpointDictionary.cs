using System.Collections;
using System.Diagnostics.CodeAnalysis;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// A read-only name map over checkpoint tensors with some keys renamed or dropped, for checkpoints that store a
/// module under other names (peft's <c>modules_to_save</c> copies, adapters saved with or without the adapter
/// name). The tensors themselves are shared, not copied. <see cref="Source"/> names the original file in errors.
/// </summary>
public sealed class RenamedCheckpointDictionary : IReadOnlyDictionary<string, CheckpointTensor>
{
    private readonly Dictionary<string, CheckpointTensor> _tensors;

    private RenamedCheckpointDictionary(Dictionary<string, CheckpointTensor> tensors, string source)
    {
        _tensors = tensors;
        Source = source;
    }

    /// <summary>The checkpoint the tensors come from.</summary>
    public string Source { get; }

    /// <summary>
    /// Every key of <paramref name="source"/> passed through <paramref name="rename"/>; null drops the key. Two keys
    /// renamed to the same name are an error naming both.
    /// </summary>
    public static RenamedCheckpointDictionary Renamed(IReadOnlyDictionary<string, CheckpointTensor> source, Func<string, string?> rename)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rename);
        var name = SourceName(source);
        var map = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var from = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in source)
        {
            if (rename(key) is not { } target)
            {
                continue;
            }

            if (!from.TryAdd(target, key))
            {
                throw new CheckpointFormatException(name, key, $"both '{from[target]}' and '{key}' would load as '{target}'.");
            }

            map[target] = tensor;
        }

        return new RenamedCheckpointDictionary(map, name);
    }

    /// <summary>The name of a checkpoint map for error messages.</summary>
    public static string SourceName(IReadOnlyDictionary<string, CheckpointTensor> source) => source switch
    {
        CheckpointSet set => set.Source,
        RenamedCheckpointDictionary view => view.Source,
        _ => source.Values.FirstOrDefault()?.SourceFile ?? "(state dict)",
    };

    /// <inheritdoc />
    public CheckpointTensor this[string key] => _tensors[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc />
    public IEnumerable<CheckpointTensor> Values => _tensors.Values;

    /// <inheritdoc />
    public int Count => _tensors.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out CheckpointTensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, CheckpointTensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
