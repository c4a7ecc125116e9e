namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>
/// transformers <c>CLIPTextConfig</c> (text_encoder/config.json). SD-2.x ships the OpenCLIP ViT-H text tower without
/// its last layer: 23 layers, width 1024, 16 heads, FFN 4096, exact-erf "gelu"; SD-1.x the OpenAI ViT-L/14 tower:
/// 12 layers, width 768, "quick_gelu".
/// </summary>
public sealed record ClipTextConfig
{
    /// <summary>stabilityai/stable-diffusion-2-1-base's text_encoder/config.json (340,387,840 parameters).</summary>
    public static ClipTextConfig StableDiffusion21Base { get; } = new()
    {
        HiddenSize = 1024,
        IntermediateSize = 4096,
        NumHiddenLayers = 23,
        NumAttentionHeads = 16,
        HiddenAct = "gelu",
    };

    public int VocabSize { get; init; } = 49408;

    public int HiddenSize { get; init; } = 512;

    public int IntermediateSize { get; init; } = 2048;

    public int NumHiddenLayers { get; init; } = 12;

    public int NumAttentionHeads { get; init; } = 8;

    public int MaxPositionEmbeddings { get; init; } = 77;

    /// <summary>"gelu" (exact erf) or "quick_gelu" (x·σ(1.702x)).</summary>
    public string HiddenAct { get; init; } = "quick_gelu";

    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Reads text_encoder/config.json.</summary>
    public static ClipTextConfig Load(string path) => FromConfig(DiffusersConfig.Load(path));

    /// <summary>Builds the config with transformers' CLIPTextConfig defaults for absent fields.</summary>
    public static ClipTextConfig FromConfig(DiffusersConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var act = c.GetString("hidden_act", "quick_gelu");
        if (act is not ("gelu" or "quick_gelu"))
        {
            throw c.Invalid("hidden_act", $"'{act}' is not supported; CLIP text towers use \"gelu\" or \"quick_gelu\".");
        }

        var config = new ClipTextConfig
        {
            VocabSize = c.GetInt("vocab_size", 49408),
            HiddenSize = c.GetInt("hidden_size", 512),
            IntermediateSize = c.GetInt("intermediate_size", 2048),
            NumHiddenLayers = c.GetInt("num_hidden_layers", 12),
            NumAttentionHeads = c.GetInt("num_attention_heads", 8),
            MaxPositionEmbeddings = c.GetInt("max_position_embeddings", 77),
            HiddenAct = act,
            LayerNormEps = c.GetDouble("layer_norm_eps", 1e-5),
        };
        if (config.HiddenSize % config.NumAttentionHeads != 0)
        {
            throw c.Invalid("num_attention_heads", $"hidden_size {config.HiddenSize} does not split into {config.NumAttentionHeads} heads.");
        }

        return config;
    }
}
