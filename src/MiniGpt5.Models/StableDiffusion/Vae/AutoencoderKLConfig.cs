namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>AutoencoderKL</c> config.json, with diffusers' defaults for absent fields (older configs, SD-2.1's
/// included, have no scaling_factor: it defaults to 0.18215).
/// </summary>
public sealed record AutoencoderKLConfig
{
    /// <summary>The only encoder block kind of the KL autoencoder.</summary>
    public const string DownEncoderBlock = "DownEncoderBlock2D";

    /// <summary>The only decoder block kind.</summary>
    public const string UpDecoderBlock = "UpDecoderBlock2D";

    /// <summary>stabilityai/stable-diffusion-2-1-base's vae/config.json (83,653,863 parameters).</summary>
    public static AutoencoderKLConfig StableDiffusion21Base { get; } = new()
    {
        BlockOutChannels = [128, 256, 512, 512],
        LayersPerBlock = 2,
    };

    public int InChannels { get; init; } = 3;

    public int OutChannels { get; init; } = 3;

    public IReadOnlyList<int> BlockOutChannels { get; init; } = [64];

    /// <summary>Resnets per encoder level (decoder levels have one more).</summary>
    public int LayersPerBlock { get; init; } = 1;

    public int LatentChannels { get; init; } = 4;

    public int NormNumGroups { get; init; } = 32;

    /// <summary>Latents are multiplied by this after encoding and divided before decoding (0.18215 for SD 1.x/2.x).</summary>
    public double ScalingFactor { get; init; } = 0.18215;

    /// <summary>Subtracted after encoding and added before decoding (null for SD 1.x/2.x).</summary>
    public double? ShiftFactor { get; init; }

    public bool UseQuantConv { get; init; } = true;

    public bool UsePostQuantConv { get; init; } = true;

    public bool MidBlockAddAttention { get; init; } = true;

    /// <summary>Image pixels per latent pixel along each side: 2^(levels-1) (8 for SD).</summary>
    public int ScaleFactor => 1 << (BlockOutChannels.Count - 1);

    /// <summary>Reads vae/config.json.</summary>
    public static AutoencoderKLConfig Load(string path) => FromConfig(DiffusersConfig.Load(path));

    /// <summary>Builds the config from a parsed config.json.</summary>
    public static AutoencoderKLConfig FromConfig(DiffusersConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        c.RequireAbsentOr("act_fn", "silu", f => c.GetString(f), "the KL autoencoder of Stable Diffusion uses SiLU.");
        c.RequireNull("latents_mean", "per-channel latent statistics (SDXL-era VAEs) are not implemented.");
        c.RequireNull("latents_std", "per-channel latent statistics (SDXL-era VAEs) are not implemented.");
        var boc = c.Has("block_out_channels") ? c.GetIntArray("block_out_channels") : [64];
        var down = c.Has("down_block_types") ? c.GetStringArray("down_block_types") : [DownEncoderBlock];
        var up = c.Has("up_block_types") ? c.GetStringArray("up_block_types") : [UpDecoderBlock];
        if (down.Length != boc.Length || down.Any(d => d != DownEncoderBlock))
        {
            throw c.Invalid("down_block_types", $"expected {boc.Length} × {DownEncoderBlock} (one per block_out_channels entry), found [{string.Join(", ", down)}].");
        }

        if (up.Length != boc.Length || up.Any(u => u != UpDecoderBlock))
        {
            throw c.Invalid("up_block_types", $"expected {boc.Length} × {UpDecoderBlock} (one per block_out_channels entry), found [{string.Join(", ", up)}].");
        }

        var groups = c.GetInt("norm_num_groups", 32);
        foreach (var channels in boc)
        {
            if (channels % groups != 0)
            {
                throw c.Invalid("norm_num_groups", $"{channels} channels do not divide into {groups} groups.");
            }
        }

        return new AutoencoderKLConfig
        {
            InChannels = c.GetInt("in_channels", 3),
            OutChannels = c.GetInt("out_channels", 3),
            BlockOutChannels = boc,
            LayersPerBlock = c.GetInt("layers_per_block", 1),
            LatentChannels = c.GetInt("latent_channels", 4),
            NormNumGroups = groups,
            ScalingFactor = c.GetDouble("scaling_factor", 0.18215),
            ShiftFactor = c.Has("shift_factor") ? c.GetDouble("shift_factor") : null,
            UseQuantConv = c.GetBool("use_quant_conv", true),
            UsePostQuantConv = c.GetBool("use_post_quant_conv", true),
            MidBlockAddAttention = c.GetBool("mid_block_add_attention", true),
        };
    }
}
