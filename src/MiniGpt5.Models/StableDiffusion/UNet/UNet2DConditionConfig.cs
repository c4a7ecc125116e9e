namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// The parts of diffusers' <c>UNet2DConditionModel</c> config.json that the SD 1.x / 2.x family uses, with every
/// per-level setting expanded to one value per level. <see cref="FromConfig"/> applies diffusers' defaults for absent
/// fields and refuses, naming the field, the options this implementation does not have (class or addition
/// embeddings, scale-shift time conditioning, ...), rather than silently building a different network.
/// </summary>
public sealed record UNet2DConditionConfig
{
    /// <summary>The down block kinds we build.</summary>
    public const string CrossAttnDownBlock = "CrossAttnDownBlock2D";

    /// <summary>A down block without attention.</summary>
    public const string DownBlock = "DownBlock2D";

    /// <summary>An up block with attention.</summary>
    public const string CrossAttnUpBlock = "CrossAttnUpBlock2D";

    /// <summary>An up block without attention.</summary>
    public const string UpBlock = "UpBlock2D";

    /// <summary>The cross-attention mid block.</summary>
    public const string MidBlockCrossAttn = "UNetMidBlock2DCrossAttn";

    /// <summary>stabilityai/stable-diffusion-2-1-base's unet/config.json (865,910,724 parameters).</summary>
    public static UNet2DConditionConfig StableDiffusion21Base { get; } = new()
    {
        SampleSize = 64,
        BlockOutChannels = [320, 640, 1280, 1280],
        LayersPerBlock = [2, 2, 2, 2],
        AttentionHeads = [5, 10, 20, 20],
        CrossAttentionDim = [1024, 1024, 1024, 1024],
        UseLinearProjection = true,
    };

    /// <summary>Latent height/width the model was trained at (64 for SD-2.1-base, 96 for 768-v), if stated.</summary>
    public int? SampleSize { get; init; }

    public int InChannels { get; init; } = 4;

    public int OutChannels { get; init; } = 4;

    /// <summary>Maps the input from [0, 1] to [-1, 1] first (never set for SD).</summary>
    public bool CenterInputSample { get; init; }

    public bool FlipSinToCos { get; init; } = true;

    public double FreqShift { get; init; }

    public IReadOnlyList<string> DownBlockTypes { get; init; } = [CrossAttnDownBlock, CrossAttnDownBlock, CrossAttnDownBlock, DownBlock];

    /// <summary>UNetMidBlock2DCrossAttn, or null for no mid block.</summary>
    public string? MidBlockType { get; init; } = MidBlockCrossAttn;

    public IReadOnlyList<string> UpBlockTypes { get; init; } = [UpBlock, CrossAttnUpBlock, CrossAttnUpBlock, CrossAttnUpBlock];

    public IReadOnlyList<int> BlockOutChannels { get; init; } = [320, 640, 1280, 1280];

    /// <summary>Resnets per down level (up levels have one more).</summary>
    public IReadOnlyList<int> LayersPerBlock { get; init; } = [2, 2, 2, 2];

    public int DownsamplePadding { get; init; } = 1;

    public double MidBlockScaleFactor { get; init; } = 1.0;

    public int NormNumGroups { get; init; } = 32;

    public double NormEps { get; init; } = 1e-5;

    /// <summary>Width of the conditioning tokens, per level (1024 for SD 2.x, 768 for SD 1.x).</summary>
    public IReadOnlyList<int> CrossAttentionDim { get; init; } = [1280, 1280, 1280, 1280];

    public IReadOnlyList<int> TransformerLayersPerBlock { get; init; } = [1, 1, 1, 1];

    /// <summary>
    /// Attention heads per level. diffusers' config field <c>attention_head_dim</c> holds this number (not the head
    /// width) because of a historical misnaming: SD 2.x's [5, 10, 20, 20] means 5, 10, 20, 20 heads of 64 channels,
    /// SD 1.x's 8 means 8 heads of 40, 80, 160, 160 channels.
    /// </summary>
    public IReadOnlyList<int> AttentionHeads { get; init; } = [8, 8, 8, 8];

    public IReadOnlyList<bool> OnlyCrossAttention { get; init; } = [false, false, false, false];

    public bool MidBlockOnlyCrossAttention { get; init; }

    /// <summary>Linear proj_in/proj_out (SD 2.x) instead of 1×1 convolutions (SD 1.x).</summary>
    public bool UseLinearProjection { get; init; }

    /// <summary>SD-2.1 768-v computes attention scores in float32; our attention always does.</summary>
    public bool UpcastAttention { get; init; }

    public int ConvInKernel { get; init; } = 3;

    public int ConvOutKernel { get; init; } = 3;

    /// <summary>Number of resolution levels.</summary>
    public int Levels => BlockOutChannels.Count;

    /// <summary>Width of the time embedding: 4 × block_out_channels[0].</summary>
    public int TimeEmbedDim => BlockOutChannels[0] * 4;

    /// <summary>Reads unet/config.json.</summary>
    public static UNet2DConditionConfig Load(string path) => FromConfig(DiffusersConfig.Load(path));

    /// <summary>Builds the config from a parsed config.json, with diffusers' defaults and checks.</summary>
    /// <exception cref="StableDiffusionModelException">A field is malformed or asks for something not implemented.</exception>
    public static UNet2DConditionConfig FromConfig(DiffusersConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        const string Family = "only the Stable Diffusion 1.x/2.x UNet layout is implemented";
        foreach (var field in new[]
        {
            "class_embed_type", "addition_embed_type", "encoder_hid_dim", "encoder_hid_dim_type", "num_class_embeds",
            "time_cond_proj_dim", "timestep_post_act", "time_embedding_dim", "time_embedding_act_fn",
            "projection_class_embeddings_input_dim", "cross_attention_norm", "reverse_transformer_layers_per_block",
            "addition_time_embed_dim",
        })
        {
            c.RequireNull(field, Family + ".");
        }

        // diffusers itself refuses this field (issue #2011): attention_head_dim carries the head count.
        c.RequireNull("num_attention_heads", "diffusers reads the head count from attention_head_dim; num_attention_heads must stay null.");
        c.RequireAbsentOr("time_embedding_type", "positional", f => c.GetString(f), Family + " (sinusoidal 'positional' time embedding).");
        c.RequireAbsentOr("resnet_time_scale_shift", "default", f => c.GetString(f), Family + " (time embedding added, not scale-shift).");
        c.RequireAbsentOr("resnet_skip_time_act", false, f => c.GetBool(f), Family + ".");
        c.RequireAbsentOr("dual_cross_attention", false, f => c.GetBool(f), Family + ".");
        c.RequireAbsentOr("class_embeddings_concat", false, f => c.GetBool(f), Family + ".");
        c.RequireAbsentOr("attention_type", "default", f => c.GetString(f), Family + " (plain cross-attention).");
        c.RequireAbsentOr("resnet_out_scale_factor", 1.0, f => c.GetDouble(f), Family + " (resnet outputs are not rescaled).");
        c.RequireAbsentOr("act_fn", "silu", f => c.GetString(f), "Stable Diffusion UNets use SiLU.");
        c.RequireAbsentOr("dropout", 0.0, f => c.GetDouble(f), "inference and frozen-UNet training use no dropout.");
        var boc = c.Has("block_out_channels") ? c.GetIntArray("block_out_channels") : [320, 640, 1280, 1280];
        var levels = boc.Length;
        var down = c.Has("down_block_types") ? c.GetStringArray("down_block_types") : [CrossAttnDownBlock, CrossAttnDownBlock, CrossAttnDownBlock, DownBlock];
        var up = c.Has("up_block_types") ? c.GetStringArray("up_block_types") : [UpBlock, CrossAttnUpBlock, CrossAttnUpBlock, CrossAttnUpBlock];
        if (down.Length != levels)
        {
            throw c.Invalid("down_block_types", $"has {down.Length} entries but block_out_channels has {levels}.");
        }

        if (up.Length != levels)
        {
            throw c.Invalid("up_block_types", $"has {up.Length} entries but down_block_types has {levels}.");
        }

        for (var i = 0; i < levels; i++)
        {
            if (down[i] is not (CrossAttnDownBlock or DownBlock))
            {
                throw c.Invalid("down_block_types", $"entry {i} is '{down[i]}'; supported: {CrossAttnDownBlock}, {DownBlock}.");
            }

            if (up[i] is not (CrossAttnUpBlock or UpBlock))
            {
                throw c.Invalid("up_block_types", $"entry {i} is '{up[i]}'; supported: {CrossAttnUpBlock}, {UpBlock}.");
            }
        }

        // Absent means the default mid block; an explicit null means none.
        var mid = c.IsPresent("mid_block_type") ? c.GetOptionalString("mid_block_type") : MidBlockCrossAttn;
        if (mid is not (null or MidBlockCrossAttn))
        {
            throw c.Invalid("mid_block_type", $"'{mid}' is not supported; expected {MidBlockCrossAttn} or null.");
        }

        var onlyCross = c.GetBoolPerLevel("only_cross_attention", levels, false);
        var midOnlyCross = c.Has("mid_block_only_cross_attention")
            ? c.GetBool("mid_block_only_cross_attention")
            : !c.IsArray("only_cross_attention") && onlyCross[^1];
        var groups = c.GetInt("norm_num_groups", 32);
        var heads = c.GetIntPerLevel("attention_head_dim", levels, 8);
        for (var i = 0; i < levels; i++)
        {
            if (heads[i] <= 0 || boc[i] % heads[i] != 0)
            {
                throw c.Invalid("attention_head_dim", $"level {i}: {boc[i]} channels do not split into {heads[i]} heads (this field is the head count).");
            }

            if (boc[i] % groups != 0)
            {
                throw c.Invalid("norm_num_groups", $"level {i}: {boc[i]} channels do not divide into {groups} groups.");
            }
        }

        var convIn = c.GetInt("conv_in_kernel", 3);
        var convOut = c.GetInt("conv_out_kernel", 3);
        if (convIn % 2 == 0 || convOut % 2 == 0)
        {
            throw c.Invalid(convIn % 2 == 0 ? "conv_in_kernel" : "conv_out_kernel", "must be odd (the padding is (k - 1) / 2).");
        }

        return new UNet2DConditionConfig
        {
            SampleSize = c.Has("sample_size") ? (c.IsArray("sample_size") ? c.GetIntArray("sample_size")[0] : c.GetInt("sample_size")) : null,
            InChannels = c.GetInt("in_channels", 4),
            OutChannels = c.GetInt("out_channels", 4),
            CenterInputSample = c.GetBool("center_input_sample", false),
            FlipSinToCos = c.GetBool("flip_sin_to_cos", true),
            FreqShift = c.GetDouble("freq_shift", 0),
            DownBlockTypes = down,
            MidBlockType = mid,
            UpBlockTypes = up,
            BlockOutChannels = boc,
            LayersPerBlock = c.GetIntPerLevel("layers_per_block", levels, 2),
            DownsamplePadding = c.GetInt("downsample_padding", 1),
            MidBlockScaleFactor = c.GetDouble("mid_block_scale_factor", 1),
            NormNumGroups = groups,
            NormEps = c.GetDouble("norm_eps", 1e-5),
            CrossAttentionDim = c.GetIntPerLevel("cross_attention_dim", levels, 1280),
            TransformerLayersPerBlock = c.GetIntPerLevel("transformer_layers_per_block", levels, 1),
            AttentionHeads = heads,
            OnlyCrossAttention = onlyCross,
            MidBlockOnlyCrossAttention = midOnlyCross,
            UseLinearProjection = c.GetBool("use_linear_projection", false),
            UpcastAttention = c.GetBool("upcast_attention", false),
            ConvInKernel = convIn,
            ConvOutKernel = convOut,
        };
    }
}
