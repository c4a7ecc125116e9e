using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// A LLaMA causal language model (HF LlamaForCausalLM): <c>model.*</c> (<see cref="LlamaModel"/>) and
/// <c>lm_head.weight</c> [V, D] (absent when the embeddings are tied). Loads a Hugging Face folder (config.json plus
/// model.safetensors, pytorch_model.bin, or their sharded indexes) with its published keys; HF's
/// <c>rotary_emb.inv_freq</c> buffers are ignored (RoPE is computed).
/// </summary>
public sealed class LlamaForCausalLM : Module
{
    /// <summary>Keys a LLaMA checkpoint may hold that are not weights.</summary>
    public static IReadOnlyList<string> IgnoredPatterns { get; } = ["*.rotary_emb.inv_freq"];

    /// <summary>An uninitialised (zero) model of <paramref name="config"/>; weights in <paramref name="dtype"/>.</summary>
    public LlamaForCausalLM(LlamaConfig config, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        WeightDType = dtype;
        Model = Child("model", new LlamaModel(config, dtype));
        LmHead = config.TieWordEmbeddings ? null : Child("lm_head", new Linear(config.HiddenSize, config.VocabSize, bias: false, dtype));
    }

    /// <summary>The architecture.</summary>
    public LlamaConfig Config { get; }

    /// <summary>dtype the projection weights were built with.</summary>
    public DType WeightDType { get; }

    /// <summary>The decoder stack.</summary>
    public LlamaModel Model { get; }

    /// <summary>LM head [V, D], or null when tied to the embedding.</summary>
    public Linear? LmHead { get; }

    /// <summary>The matrix that turns hidden states into logits [V, D].</summary>
    public Tensor OutputWeight => LmHead?.Weight.Value ?? Model.EmbedTokens.Weight.Value;

    /// <summary>LoRA rank attached on the fly (0 when none), for decode buffers.</summary>
    internal int AttachedLoraRank { get; private set; }

    /// <summary>Logits [..., V] (float32) of normed hidden states [..., D].</summary>
    public Tensor Logits(Tensor hidden, Tensor? output = null) => Ops.Linear(hidden, OutputWeight, null, output);

    /// <summary>A stateless forward of token ids [B, T] → logits [B, T, V] (positions 0..T-1, causal).</summary>
    public Tensor Forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = TensorScope.Enter();
        var embeds = Model.Embed(ids);
        var positions = Tensor.Arange(ids.Shape[^1]).To(ids.Device);
        return Logits(Model.Forward(embeds, positions)).MoveToOuterScope();
    }

    /// <summary>Starts a generation request: a KV cache and decode buffers for up to <paramref name="maxLength"/> positions.</summary>
    public LlamaInferenceSession CreateSession(int maxLength) => new(this, maxLength);

    /// <summary>
    /// Adds LoRA adapters: <paramref name="merge"/> folds W + scale·B·A into the base weights (rounded once to their
    /// dtype; inference), otherwise the adapters are applied on the fly (training, or switching adapters). The
    /// adapters must stay alive (undisposed) while attached.
    /// </summary>
    public void ApplyLora(LlamaLora lora, bool merge)
    {
        ArgumentNullException.ThrowIfNull(lora);
        if (lora.Adapters.Count != Config.NumLayers)
        {
            throw new ArgumentException($"The LoRA adapters cover {lora.Adapters.Count} layers but the model has {Config.NumLayers}.", nameof(lora));
        }

        for (var i = 0; i < Config.NumLayers; i++)
        {
            var layer = Model.Layers[i];
            foreach (var (name, adapter) in lora.Adapters[i])
            {
                var (target, onTheFly) = name switch
                {
                    "q_proj" => (layer.SelfAttention.QProj, layer.SelfAttention.Lora),
                    "k_proj" => (layer.SelfAttention.KProj, layer.SelfAttention.Lora),
                    "v_proj" => (layer.SelfAttention.VProj, layer.SelfAttention.Lora),
                    "o_proj" => (layer.SelfAttention.OProj, layer.SelfAttention.Lora),
                    "gate_proj" => (layer.Mlp.GateProj, layer.Mlp.Lora),
                    "up_proj" => (layer.Mlp.UpProj, layer.Mlp.Lora),
                    "down_proj" => (layer.Mlp.DownProj, layer.Mlp.Lora),
                    _ => throw new ArgumentException($"Unknown LoRA target '{name}'.", nameof(lora)),
                };
                if (merge)
                {
                    Merge(target, adapter);
                }
                else
                {
                    onTheFly[name] = adapter;
                }
            }
        }

        if (!merge)
        {
            AttachedLoraRank = Math.Max(AttachedLoraRank, lora.Config.Rank);
        }
    }

    /// <summary>
    /// Loads a Hugging Face LLaMA folder: config.json and the weights (safetensors or PyTorch .bin, single or sharded).
    /// Throws <see cref="LlamaConfigException"/> for a missing or bad config or a vocabulary that does not match the
    /// weights, and <see cref="CheckpointKeyMismatchException"/> listing every missing, unexpected or misshapen key.
    /// </summary>
    public static LlamaForCausalLM Load(string folder, LlamaLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= LlamaLoadOptions.Default;
        if (!Directory.Exists(folder))
        {
            throw new LlamaConfigException(folder, "is not a folder; expected a Hugging Face LLaMA folder with config.json and weights.");
        }

        var config = LlamaConfig.Load(folder);
        using var weights = CheckpointSet.Open(folder, cancellationToken: cancellationToken);
        return FromCheckpoint(config, weights, options);
    }

    /// <summary>Builds the model of <paramref name="config"/> from an open checkpoint holding HF keys.</summary>
    public static LlamaForCausalLM FromCheckpoint(LlamaConfig config, IReadOnlyDictionary<string, CheckpointTensor> weights, LlamaLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        options ??= LlamaLoadOptions.Default;
        var source = weights is CheckpointSet set ? set.Source : config.SourcePath ?? "LLaMA checkpoint";
        const string EmbedKey = "model.embed_tokens.weight";
        if (!options.SkipEmbeddings && weights.TryGetValue(EmbedKey, out var embed) && embed.Shape.Length == 2 && embed.Shape[0] != config.VocabSize)
        {
            throw new LlamaConfigException(source,
                $"{EmbedKey} has {embed.Shape[0]} rows but config.json says vocab_size = {config.VocabSize}; the config does not belong to these weights.");
        }

        var dtype = options.WeightDType ?? InferWeightDType(weights);
        var built = options.VocabSize is { } vocab ? config with { VocabSize = vocab } : config;
        var model = new LlamaForCausalLM(built, dtype);
        try
        {
            var ignored = options.SkipEmbeddings ? [.. IgnoredPatterns, EmbedKey, "lm_head.weight"] : IgnoredPatterns;
            // Module.Load still assigns an ignored key that both sides have, so skipped matrices are filtered out first.
            var used = options.SkipEmbeddings
                ? RenamedCheckpointDictionary.Renamed(weights, k => k is EmbedKey or "lm_head.weight" ? null : k)
                : weights;
            model.Load(used, options: new LoadOptions { KeyMatch = new KeyMatchOptions { IgnoredPatterns = ignored }, CopyIntoMemory = !options.MapWeights });
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint's projection dtype (f16/bf16/f32), read from the first layer's q_proj.</summary>
    private static DType InferWeightDType(IReadOnlyDictionary<string, CheckpointTensor> weights) =>
        weights.TryGetValue("model.layers.0.self_attn.q_proj.weight", out var q) && q.DType is DType.Float16 or DType.BFloat16 or DType.Float32
            ? q.DType
            : DType.Float32;

    private static void Merge(Linear target, LoraAdapter adapter)
    {
        using var scope = TensorScope.Enter();
        var weight = target.Weight.Value;
        var delta = adapter.MergedDelta();
        if (!delta.Shape.SequenceEqual(weight.Shape))
        {
            throw new ArgumentException(
                $"LoRA update [{string.Join(", ", delta.ShapeArray())}] does not fit the weight [{string.Join(", ", weight.ShapeArray())}].", nameof(adapter));
        }

        // W + scale·B·A in float32, rounded once to the weight's dtype (a new tensor: the old one may be a read-only mapping).
        var merged = Ops.Add(weight.To(DType.Float32), delta).To(weight.DType);
        target.Weight.Assign(merged.DetachFromScope());
    }
}
