using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// The sizes of MiniGPT-5-nano's latent-diffusion model: Stable Diffusion's architecture (KL autoencoder, UNet with
/// cross-attention, CLIP text encoder, scaled-linear DDPM schedule) at 64×64 pixels and 16×16×4 latents. The JSON it
/// writes is the diffusers/transformers config of each component, so the folder loads in our pipeline and in diffusers.
/// </summary>
public sealed record NanoSdArchitecture
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The shipped sizes.</summary>
    public static NanoSdArchitecture Default { get; } = new();

    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>VAE channels per level (3 levels: the image shrinks ×4).</summary>
    public IReadOnlyList<int> VaeChannels { get; init; } = [16, 32, 32];

    /// <summary>Latent channels.</summary>
    public int LatentChannels { get; init; } = 4;

    /// <summary>Group-norm groups of the VAE.</summary>
    public int VaeNormGroups { get; init; } = 8;

    /// <summary>UNet channels per level (16×16 and 8×8 latents).</summary>
    public IReadOnlyList<int> UnetChannels { get; init; } = [32, 64];

    /// <summary>Whether each UNet level has transformer blocks (self- and cross-attention). Attention at 16×16 latents
    /// (256 tokens) cost most of a training step; at 8×8 and in the middle block it still sees every cell of the 3×3
    /// layout the captions name.</summary>
    public IReadOnlyList<bool> UnetAttention { get; init; } = [false, true];

    /// <summary>Attention heads per UNet level (diffusers' attention_head_dim field holds the head count).</summary>
    public IReadOnlyList<int> UnetHeads { get; init; } = [2, 4];

    /// <summary>Group-norm groups of the UNet.</summary>
    public int UnetNormGroups { get; init; } = 8;

    /// <summary>ResNet layers per UNet level.</summary>
    public int UnetLayersPerBlock { get; init; } = 1;

    /// <summary>Text encoder width = the UNet's cross_attention_dim = the conditioning width the voken mapper outputs.</summary>
    public int TextWidth { get; init; } = 64;

    /// <summary>Text encoder layers.</summary>
    public int TextLayers { get; init; } = 2;

    /// <summary>Text encoder attention heads.</summary>
    public int TextHeads { get; init; } = 4;

    /// <summary>Text encoder MLP width.</summary>
    public int TextIntermediate { get; init; } = 256;

    /// <summary>Tokens per text, BOS and EOS included (max_position_embeddings and the tokenizer's model_max_length);
    /// the conditioning is [1, TextLength, TextWidth]. The longest nano caption or story step is 40 tokens.</summary>
    public int TextLength { get; init; } = 48;

    /// <summary>Latent side.</summary>
    public int LatentSize => ImageSize >> (VaeChannels.Count - 1);

    /// <summary>vae/config.json (the scaling factor is measured after VAE training).</summary>
    public JsonObject VaeConfig(double scalingFactor) => new()
    {
        ["_class_name"] = "AutoencoderKL",
        ["act_fn"] = "silu",
        ["block_out_channels"] = Ints(VaeChannels),
        ["down_block_types"] = Strings(Enumerable.Repeat("DownEncoderBlock2D", VaeChannels.Count)),
        ["up_block_types"] = Strings(Enumerable.Repeat("UpDecoderBlock2D", VaeChannels.Count)),
        ["in_channels"] = 3,
        ["out_channels"] = 3,
        ["latent_channels"] = LatentChannels,
        ["layers_per_block"] = 1,
        ["norm_num_groups"] = VaeNormGroups,
        ["sample_size"] = ImageSize,
        ["scaling_factor"] = scalingFactor,
    };

    /// <summary>unet/config.json.</summary>
    public JsonObject UnetConfig() => new()
    {
        ["_class_name"] = "UNet2DConditionModel",
        ["act_fn"] = "silu",
        ["attention_head_dim"] = Ints(UnetHeads),
        ["block_out_channels"] = Ints(UnetChannels),
        ["center_input_sample"] = false,
        ["cross_attention_dim"] = TextWidth,
        ["down_block_types"] = Strings(UnetAttention.Select(a => a ? "CrossAttnDownBlock2D" : "DownBlock2D")),
        ["downsample_padding"] = 1,
        ["flip_sin_to_cos"] = true,
        ["freq_shift"] = 0,
        ["in_channels"] = LatentChannels,
        ["layers_per_block"] = UnetLayersPerBlock,
        ["mid_block_scale_factor"] = 1,
        ["norm_eps"] = 1e-5,
        ["norm_num_groups"] = UnetNormGroups,
        ["out_channels"] = LatentChannels,
        ["sample_size"] = LatentSize,
        ["up_block_types"] = Strings(UnetAttention.Reverse().Select(a => a ? "CrossAttnUpBlock2D" : "UpBlock2D")),
        ["use_linear_projection"] = true,
    };

    /// <summary>text_encoder/config.json.</summary>
    public JsonObject TextConfig(int vocabularySize) => new()
    {
        ["architectures"] = new JsonArray("CLIPTextModel"),
        ["model_type"] = "clip_text_model",
        ["hidden_act"] = "gelu",
        ["hidden_size"] = TextWidth,
        ["intermediate_size"] = TextIntermediate,
        ["layer_norm_eps"] = 1e-5,
        ["max_position_embeddings"] = TextLength,
        ["num_attention_heads"] = TextHeads,
        ["num_hidden_layers"] = TextLayers,
        ["projection_dim"] = TextWidth,
        ["vocab_size"] = vocabularySize,
        ["bos_token_id"] = vocabularySize - 2,
        ["eos_token_id"] = vocabularySize - 1,
        ["pad_token_id"] = 0,
        ["torch_dtype"] = "float16",
    };

    /// <summary>scheduler/scheduler_config.json: SD's scaled-linear betas, sampled with DDIM.</summary>
    public static JsonObject SchedulerConfigJson() => new()
    {
        ["_class_name"] = "DDIMScheduler",
        ["beta_end"] = 0.012,
        ["beta_schedule"] = "scaled_linear",
        ["beta_start"] = 0.00085,
        ["clip_sample"] = false,
        ["num_train_timesteps"] = 1000,
        ["prediction_type"] = "epsilon",
        ["set_alpha_to_one"] = false,
        ["steps_offset"] = 1,
        ["timestep_spacing"] = "leading",
        ["trained_betas"] = null,
    };

    /// <summary>model_index.json.</summary>
    public static JsonObject ModelIndex() => new()
    {
        ["_class_name"] = "StableDiffusionPipeline",
        ["_diffusers_version"] = "0.21.4",
        ["feature_extractor"] = new JsonArray(null, null),
        ["requires_safety_checker"] = false,
        ["safety_checker"] = new JsonArray(null, null),
        ["scheduler"] = new JsonArray("diffusers", "DDIMScheduler"),
        ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
        ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"),
        ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
        ["vae"] = new JsonArray("diffusers", "AutoencoderKL"),
    };

    /// <summary>The parsed configs, as our models read them.</summary>
    public AutoencoderKLConfig Vae(double scalingFactor) => AutoencoderKLConfig.FromConfig(Parse(VaeConfig(scalingFactor), "vae/config.json"));

    /// <summary>The parsed UNet config.</summary>
    public UNet2DConditionConfig Unet() => UNet2DConditionConfig.FromConfig(Parse(UnetConfig(), "unet/config.json"));

    /// <summary>The parsed text encoder config.</summary>
    public ClipTextConfig Text(int vocabularySize) => ClipTextConfig.FromConfig(Parse(TextConfig(vocabularySize), "text_encoder/config.json"));

    /// <summary>The parsed scheduler config.</summary>
    public static SchedulerConfig Scheduler() => SchedulerConfig.FromConfig(Parse(SchedulerConfigJson(), "scheduler/scheduler_config.json"));

    /// <summary>Writes <paramref name="json"/> indented to <paramref name="path"/> (creating its folder).</summary>
    public static async Task WriteJsonAsync(string path, JsonObject json, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, json.ToJsonString(Indented) + "\n", cancellationToken).ConfigureAwait(false);
    }

    private static DiffusersConfig Parse(JsonObject json, string name) => DiffusersConfig.Parse(json.ToJsonString(), name);

    private static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
