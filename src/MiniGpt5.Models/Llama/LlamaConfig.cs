using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// The architecture of a LLaMA-family decoder, as Hugging Face's <c>config.json</c> (LlamaConfig) describes it.
/// Vicuna-7B v0: hidden 4096, 32 layers, 32 heads (and 32 KV heads), FFN 11008, RMSNorm eps 1e-6, RoPE base 10000,
/// untied embeddings.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary>Model width D (<c>hidden_size</c>).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>SwiGLU inner width F (<c>intermediate_size</c>).</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Decoder layers (<c>num_hidden_layers</c>).</summary>
    public required int NumLayers { get; init; }

    /// <summary>Query heads (<c>num_attention_heads</c>).</summary>
    public required int NumHeads { get; init; }

    /// <summary>Key/value heads (<c>num_key_value_heads</c>; fewer than the query heads means grouped-query attention).</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>Rows of the embedding and of the LM head (<c>vocab_size</c>).</summary>
    public required int VocabSize { get; init; }

    /// <summary>RMSNorm epsilon (<c>rms_norm_eps</c>).</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>RoPE base (<c>rope_theta</c>).</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>The LM head reuses the embedding matrix (<c>tie_word_embeddings</c>); no <c>lm_head.weight</c> key then.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Context the model was trained for (<c>max_position_embeddings</c>); informational, RoPE works beyond it.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>Per-head width (<c>head_dim</c>, else hidden / heads).</summary>
    public int HeadDim => ExplicitHeadDim ?? (HiddenSize / NumHeads);

    /// <summary><c>head_dim</c> when config.json states it.</summary>
    public int? ExplicitHeadDim { get; init; }

    /// <summary>Where the config was read from (for error messages), or null.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Weights the decoder holds (embedding, layers, norm and, when untied, the LM head).</summary>
    public long ParameterCount()
    {
        long d = HiddenSize, f = IntermediateSize, q = (long)NumHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        var layer = (d * q) + (2 * d * kv) + (q * d) + (3 * d * f) + (2 * d);
        return (VocabSize * d * (TieWordEmbeddings ? 1 : 2)) + (NumLayers * layer) + d;
    }

    /// <summary>Reads <c>config.json</c> (a file, or a model folder holding one).</summary>
    public static LlamaConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = Directory.Exists(path) ? System.IO.Path.Combine(path, "config.json") : path;
        if (!File.Exists(file))
        {
            throw new LlamaConfigException(file, "config.json is missing; a LLaMA model folder holds config.json next to its weights.");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new LlamaConfigException(file, $"is not valid JSON ({e.Message}).", e);
        }

        if (root is not JsonObject json)
        {
            throw new LlamaConfigException(file, "must hold a JSON object.");
        }

        return FromJson(json, file);
    }

    /// <summary>
    /// The Hugging Face config.json for this architecture (the inverse of <see cref="FromJson"/>), for folders we
    /// write ourselves: trained nano models and benchmark weights. <paramref name="torchDType"/> is what the weights
    /// file holds ("float16", "bfloat16", "float32").
    /// </summary>
    public JsonObject ToJson(int bosTokenId, int eosTokenId, string torchDType) => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["hidden_act"] = "silu",
        ["hidden_size"] = HiddenSize,
        ["intermediate_size"] = IntermediateSize,
        ["num_hidden_layers"] = NumLayers,
        ["num_attention_heads"] = NumHeads,
        ["num_key_value_heads"] = NumKeyValueHeads,
        ["vocab_size"] = VocabSize,
        ["rms_norm_eps"] = RmsNormEps,
        ["rope_theta"] = RopeTheta,
        ["max_position_embeddings"] = MaxPositionEmbeddings,
        ["tie_word_embeddings"] = TieWordEmbeddings,
        ["bos_token_id"] = bosTokenId,
        ["eos_token_id"] = eosTokenId,
        ["torch_dtype"] = torchDType,
    };

    /// <summary>Builds the config from a parsed config.json object; <paramref name="source"/> names it in errors.</summary>
    public static LlamaConfig FromJson(JsonObject json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var modelType = json["model_type"]?.GetValue<string>();
        if (modelType is not null && modelType != "llama")
        {
            throw new LlamaConfigException(source, $"model_type is '{modelType}'; only 'llama' models (LLaMA, Vicuna) are supported.");
        }

        var act = json["hidden_act"]?.GetValue<string>();
        if (act is not null && act != "silu")
        {
            throw new LlamaConfigException(source, $"hidden_act is '{act}'; LLaMA's SwiGLU MLP uses 'silu'.");
        }

        if (json["rope_scaling"] is JsonNode scaling && scaling.GetValueKind() != JsonValueKind.Null)
        {
            throw new LlamaConfigException(source, $"rope_scaling {scaling.ToJsonString()} is not supported (plain RoPE only).");
        }

        foreach (var biasKey in new[] { "attention_bias", "mlp_bias" })
        {
            if (json[biasKey] is JsonNode bias && bias.GetValueKind() == JsonValueKind.True)
            {
                throw new LlamaConfigException(source, $"{biasKey} = true is not supported (LLaMA projections have no bias).");
            }
        }

        var heads = Required(json, "num_attention_heads", source);
        var config = new LlamaConfig
        {
            HiddenSize = Required(json, "hidden_size", source),
            IntermediateSize = Required(json, "intermediate_size", source),
            NumLayers = Required(json, "num_hidden_layers", source),
            NumHeads = heads,
            NumKeyValueHeads = Optional(json, "num_key_value_heads", source) ?? heads,
            VocabSize = Required(json, "vocab_size", source),
            RmsNormEps = json["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = json["rope_theta"]?.GetValue<double>() ?? 10000.0,
            TieWordEmbeddings = json["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            MaxPositionEmbeddings = Optional(json, "max_position_embeddings", source) ?? 2048,
            ExplicitHeadDim = Optional(json, "head_dim", source),
            SourcePath = source,
        };
        config.Validate();
        return config;
    }

    /// <summary>Checks that the dimensions fit together; throws <see cref="LlamaConfigException"/> naming the field.</summary>
    public void Validate()
    {
        var source = SourcePath ?? "LLaMA config";
        void Positive(int value, string name)
        {
            if (value <= 0)
            {
                throw new LlamaConfigException(source, $"{name} must be positive, got {value}.");
            }
        }

        Positive(HiddenSize, "hidden_size");
        Positive(IntermediateSize, "intermediate_size");
        Positive(NumLayers, "num_hidden_layers");
        Positive(NumHeads, "num_attention_heads");
        Positive(NumKeyValueHeads, "num_key_value_heads");
        Positive(VocabSize, "vocab_size");
        if (ExplicitHeadDim is null && HiddenSize % NumHeads != 0)
        {
            throw new LlamaConfigException(source, $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumHeads}.");
        }

        if (HeadDim % 2 != 0)
        {
            throw new LlamaConfigException(source, $"head_dim {HeadDim} must be even for rotary embeddings.");
        }

        if (NumHeads % NumKeyValueHeads != 0)
        {
            throw new LlamaConfigException(source, $"num_attention_heads {NumHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}.");
        }
    }

    private static int Required(JsonObject json, string key, string source) =>
        Optional(json, key, source) ?? throw new LlamaConfigException(source, $"'{key}' is missing.");

    private static int? Optional(JsonObject json, string key, string source)
    {
        var node = json[key];
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            return node.GetValue<int>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new LlamaConfigException(source, $"'{key}' must be an integer, got {node.ToJsonString()}.", e);
        }
    }
}
