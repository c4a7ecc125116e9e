using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// The keys and values of every layer for one request, preallocated at its maximum length (llama2.c's
/// key_cache/value_cache): per layer [B, MaxLength, Hkv, head_dim] float32, token-major so that the value projection
/// of new tokens writes straight into its slot and attention reads the prefix as a strided [B, Hkv, S, head_dim]
/// view. Nothing is reallocated while generating; <see cref="Length"/> says how many positions are filled.
/// </summary>
public sealed class LlamaKvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    /// <summary>Allocates the cache of <paramref name="config"/> for <paramref name="maxLength"/> positions.</summary>
    public LlamaKvCache(LlamaConfig config, int maxLength, int batchSize = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        MaxLength = maxLength;
        BatchSize = batchSize;
        KeyValueHeads = config.NumKeyValueHeads;
        HeadDim = config.HeadDim;
        _keys = new Tensor[config.NumLayers];
        _values = new Tensor[config.NumLayers];
        for (var i = 0; i < config.NumLayers; i++)
        {
            _keys[i] = Tensor.Empty([batchSize, maxLength, KeyValueHeads, HeadDim]).DetachFromScope();
            _values[i] = Tensor.Empty([batchSize, maxLength, KeyValueHeads, HeadDim]).DetachFromScope();
        }
    }

    /// <summary>Positions the cache can hold.</summary>
    public int MaxLength { get; }

    /// <summary>B.</summary>
    public int BatchSize { get; }

    /// <summary>Hkv.</summary>
    public int KeyValueHeads { get; }

    /// <summary>head_dim.</summary>
    public int HeadDim { get; }

    /// <summary>Positions filled so far.</summary>
    public int Length { get; private set; }

    /// <summary>Layers cached.</summary>
    public int LayerCount => _keys.Length;

    /// <summary>Bytes held by the cache.</summary>
    public long ByteLength => 2L * _keys.Length * BatchSize * MaxLength * KeyValueHeads * HeadDim * sizeof(float);

    /// <summary>Forgets every position (the memory is kept for the next request).</summary>
    public void Reset() => Length = 0;

    /// <summary>Drops positions past <paramref name="length"/> (e.g. to reuse a shared prompt prefix).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Throws unless <paramref name="count"/> more positions fit.</summary>
    public void EnsureRoom(int count)
    {
        if (Length + count > MaxLength)
        {
            throw new InvalidOperationException(
                $"The KV cache holds {Length} of {MaxLength} positions and cannot take {count} more; create the session with a larger maximum length.");
        }
    }

    /// <summary>Marks <paramref name="count"/> more positions as filled, after every layer has written them.</summary>
    internal void Advance(int count)
    {
        EnsureRoom(count);
        Length += count;
    }

    /// <summary>The key slots of positions [start, start+count) of a layer: a [B, count, Hkv, head_dim] view.</summary>
    internal Tensor KeySlots(int layer, int start, int count) => _keys[layer].Narrow(1, start, count);

    /// <summary>The value slots of positions [start, start+count) of a layer, viewed [B, count, Hkv·head_dim] (a linear layer's output layout).</summary>
    internal Tensor ValueSlots(int layer, int start, int count)
    {
        using var slots = _values[layer].Narrow(1, start, count);
        return slots.View(BatchSize, count, KeyValueHeads * HeadDim);
    }

    /// <summary>Keys of positions [0, length) as attention reads them: [B, Hkv, length, head_dim] (strided view).</summary>
    internal Tensor Keys(int layer, int length) => Prefix(_keys[layer], length);

    /// <summary>Values of positions [0, length): [B, Hkv, length, head_dim] (strided view).</summary>
    internal Tensor Values(int layer, int length) => Prefix(_values[layer], length);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values))
        {
            tensor.Dispose();
        }
    }

    private static Tensor Prefix(Tensor cache, int length)
    {
        using var prefix = cache.Narrow(1, 0, length);
        return prefix.Transpose(1, 2);
    }
}
