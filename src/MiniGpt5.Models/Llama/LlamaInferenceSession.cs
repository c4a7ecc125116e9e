using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// One generation request on a <see cref="LlamaForCausalLM"/>: the KV cache, preallocated for the request's
/// maximum length, and the one-token activation buffers. A prompt (or any chunk, such as MiniGPT-5's 8-voken block)
/// goes through <see cref="Forward"/> in one pass of batched GEMMs; each further token goes through
/// <see cref="Step"/>, which writes into the same buffers every time and allocates no tensor storage. Positions are
/// the cache index, i.e. HF's cumsum(attention_mask) - 1 for an all-ones mask (batch 1, no padding). Not thread-safe.
/// </summary>
public sealed class LlamaInferenceSession : IDisposable
{
    private readonly LlamaDecodeBuffers _buffers;
    private readonly LlamaForwardContext _stepContext;

    internal LlamaInferenceSession(LlamaForCausalLM model, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Cache = new LlamaKvCache(model.Config, maxLength);
        try
        {
            _buffers = new LlamaDecodeBuffers(model.Config, model.Model.EmbedTokens.Weight.Value.DType, model.AttachedLoraRank);
        }
        catch
        {
            Cache.Dispose();
            throw;
        }

        _stepContext = new LlamaForwardContext { Positions = _buffers.Position, Cache = Cache, Buffers = _buffers };
    }

    /// <summary>The model.</summary>
    public LlamaForCausalLM Model { get; }

    /// <summary>Keys and values so far.</summary>
    public LlamaKvCache Cache { get; }

    /// <summary>Positions processed so far (the next position id).</summary>
    public int Length => Cache.Length;

    /// <summary>Logits [V] of the last <see cref="Step"/> or <see cref="ComputeLogits"/>; valid until the next call.</summary>
    public ReadOnlySpan<float> Logits => _buffers.Logits.AsSpan<float>();

    /// <summary>Final-norm hidden state [D] of the last <see cref="Step"/>; valid until the next call.</summary>
    public ReadOnlySpan<float> LastHidden => _buffers.Final.AsSpan<float>();

    /// <summary>
    /// Runs a chunk of input embeddings [1, T, D] (float32) at positions Length..Length+T-1 in one pass (causal among
    /// the chunk, attending to everything cached), stores its keys and values, and returns the final-norm hidden
    /// states [1, T, D] (the caller disposes them).
    /// </summary>
    public Tensor Forward(Tensor inputsEmbeds)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        if (inputsEmbeds.Rank != 3 || inputsEmbeds.Shape[0] != 1)
        {
            throw new ArgumentException($"A session runs batch 1: inputs_embeds must be [1, T, D], got [{string.Join(", ", inputsEmbeds.ShapeArray())}].", nameof(inputsEmbeds));
        }

        var length = inputsEmbeds.Shape[1];
        Cache.EnsureRoom(length);
        using var scope = TensorScope.Enter();
        var start = Cache.Length;
        var positions = Tensor.Arange(start, start + length, 1);
        var context = new LlamaForwardContext { Positions = positions, Cache = Cache, CacheStart = start };
        var hidden = Model.Model.Forward(inputsEmbeds, context);
        Cache.Advance(length);
        return hidden.MoveToOuterScope();
    }

    /// <summary><see cref="Forward"/> on the embeddings of token ids.</summary>
    public Tensor ForwardTokens(ReadOnlySpan<int> ids)
    {
        using var scope = TensorScope.Enter();
        var idTensor = Tensor.FromArray<long>(ids.ToArray().Select(i => (long)i).ToArray(), [1, ids.Length]);
        var embeds = Model.Model.Embed(idTensor);
        return Forward(embeds).MoveToOuterScope();
    }

    /// <summary>Logits of one hidden row (e.g. the last row of a <see cref="Forward"/> result), written to <see cref="Logits"/>.</summary>
    public ReadOnlySpan<float> ComputeLogits(Tensor hidden, int row)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var slice = hidden.Narrow(1, row, 1);
        Model.Logits(slice, _buffers.Logits);
        return Logits;
    }

    /// <summary>
    /// Feeds one token at the next position through the preallocated path (no tensor storage is allocated) and
    /// returns its next-token logits [V]; <see cref="LastHidden"/> then holds its final-norm hidden state.
    /// </summary>
    public ReadOnlySpan<float> Step(int tokenId)
    {
        var vocab = Model.Config.VocabSize;
        if ((uint)tokenId >= (uint)vocab)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, $"Token id {tokenId} is outside the vocabulary of {vocab}.");
        }

        Cache.EnsureRoom(1);
        _buffers.TokenId.AsSpan<long>()[0] = tokenId;
        _buffers.Position.AsSpan<long>()[0] = Cache.Length;
        var embedding = Model.Model.EmbedTokens.Weight.Value;
        if (_buffers.EmbeddingRow is { } row)
        {
            Ops.Embedding(_buffers.TokenId, embedding, row);
            Ops.CopyInto(_buffers.Hidden, row);
        }
        else
        {
            Ops.Embedding(_buffers.TokenId, embedding, _buffers.Hidden);
        }

        _stepContext.CacheStart = Cache.Length;
        var final = Model.Model.Forward(_buffers.Hidden, _stepContext);
        Cache.Advance(1);
        Model.Logits(final, _buffers.Logits);
        return Logits;
    }

    /// <summary>Forgets the request (keeps the memory).</summary>
    public void Reset() => Cache.Reset();

    /// <inheritdoc />
    public void Dispose()
    {
        _buffers.Dispose();
        Cache.Dispose();
    }
}
