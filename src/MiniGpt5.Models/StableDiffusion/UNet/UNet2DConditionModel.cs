using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>UNet2DConditionModel</c> (unet_2d_condition.py) for the Stable Diffusion 1.x/2.x family, built from
/// its config.json with the published key names (<c>conv_in</c>, <c>time_embedding</c>, <c>down_blocks.N</c>,
/// <c>mid_block</c>, <c>up_blocks.N</c>, <c>conv_norm_out</c>, <c>conv_out</c>). Predicts the noise (or v) of a latent
/// at a timestep, attending to the conditioning tokens. Inference and training share this code: it uses only Ops.
/// </summary>
public sealed class UNet2DConditionModel : Module
{
    private readonly TimestepProjection _timeProjection;

    /// <summary>Builds the network (zero weights: load them with <see cref="Module.Load"/> or <see cref="FromPretrained"/>).</summary>
    public UNet2DConditionModel(UNet2DConditionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var boc = config.BlockOutChannels;
        var levels = config.Levels;
        _timeProjection = new TimestepProjection(boc[0], config.FlipSinToCos, config.FreqShift);
        ConvIn = Child("conv_in", new Conv2d(config.InChannels, boc[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2));
        TimeEmbedding = Child("time_embedding", new TimestepEmbedding(boc[0], config.TimeEmbedDim));

        var down = new ModuleList<UNetDownBlock>();
        var output = boc[0];
        for (var i = 0; i < levels; i++)
        {
            var input = output;
            output = boc[i];
            var addDownsample = i < levels - 1;
            down.Add(config.DownBlockTypes[i] == UNet2DConditionConfig.CrossAttnDownBlock
                ? new CrossAttnDownBlock2D(config, i, input, addDownsample)
                : new DownBlock2D(config, i, input, addDownsample));
        }

        DownBlocks = Child("down_blocks", down);
        MidBlock = config.MidBlockType is null ? null : Child("mid_block", new UNetMidBlock2DCrossAttn(config));

        // Up level i mirrors down level (levels - 1 - i); per-level settings are read through that index.
        var up = new ModuleList<UNetUpBlock>();
        output = boc[^1];
        for (var i = 0; i < levels; i++)
        {
            var downLevel = levels - 1 - i;
            var prevOutput = output;
            output = boc[downLevel];
            var input = boc[Math.Max(downLevel - 1, 0)];
            var addUpsample = i < levels - 1;
            up.Add(config.UpBlockTypes[i] == UNet2DConditionConfig.CrossAttnUpBlock
                ? new CrossAttnUpBlock2D(config, downLevel, input, prevOutput, addUpsample)
                : new UpBlock2D(config, downLevel, input, prevOutput, addUpsample));
        }

        UpBlocks = Child("up_blocks", up);
        ConvNormOut = Child("conv_norm_out", new GroupNorm(config.NormNumGroups, boc[0], config.NormEps));
        ConvOut = Child("conv_out", new Conv2d(boc[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2));
    }

    public UNet2DConditionConfig Config { get; }

    /// <summary>[block_out_channels[0], in_channels, k, k].</summary>
    public Conv2d ConvIn { get; }

    public TimestepEmbedding TimeEmbedding { get; }

    public ModuleList<UNetDownBlock> DownBlocks { get; }

    /// <summary>The mid block, or null when the config says mid_block_type: null.</summary>
    public UNetMidBlock2DCrossAttn? MidBlock { get; }

    public ModuleList<UNetUpBlock> UpBlocks { get; }

    public GroupNorm ConvNormOut { get; }

    /// <summary>[out_channels, block_out_channels[0], k, k].</summary>
    public Conv2d ConvOut { get; }

    /// <summary>
    /// Builds the UNet from a diffusers <c>unet/</c> folder (config.json and weights) and loads the weights strictly.
    /// </summary>
    public static UNet2DConditionModel FromPretrained(string folder, string? variant = null, DType weightDType = DType.Float32, CancellationToken cancellationToken = default)
    {
        var model = new UNet2DConditionModel(UNet2DConditionConfig.Load(Path.Combine(folder, "config.json")));
        try
        {
            ComponentWeights.Load(model, folder, variant, weightDType, cancellationToken: cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One timestep for the whole batch (the sampling loop's case).</summary>
    public Tensor Forward(Tensor sample, double timestep, Tensor context, IActivationSink? sink = null) =>
        Forward(sample, [(float)timestep], context, sink);

    /// <summary>
    /// sample [B, in, h, w], timesteps (one, or one per sample), context [B, M, cross_attention_dim] → [B, out, h, w].
    /// Any h, w work; when they are not divisible by 2^(levels-1) the up path resizes to each skip's size, as diffusers does.
    /// </summary>
    public Tensor Forward(Tensor sample, ReadOnlySpan<float> timesteps, Tensor context, IActivationSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(context);
        if (sample.Rank != 4 || sample.Shape[1] != Config.InChannels)
        {
            throw new ArgumentException($"UNet: sample must be [B, {Config.InChannels}, h, w], got [{string.Join(", ", sample.ShapeArray())}].", nameof(sample));
        }

        var batch = sample.Shape[0];
        if (context.Rank != 3 || context.Shape[0] != batch || context.Shape[2] != Config.CrossAttentionDim[0])
        {
            throw new ArgumentException(
                $"UNet: context must be [{batch}, tokens, {Config.CrossAttentionDim[0]}], got [{string.Join(", ", context.ShapeArray())}].", nameof(context));
        }

        if (timesteps.Length != 1 && timesteps.Length != batch)
        {
            throw new ArgumentException($"UNet: {timesteps.Length} timesteps for a batch of {batch}; give one, or one per sample.", nameof(timesteps));
        }

        using var scope = TensorScope.Enter();
        var perSample = new float[batch];
        for (var i = 0; i < batch; i++)
        {
            perSample[i] = timesteps[timesteps.Length == 1 ? 0 : i];
        }

        // [B, block_out_channels[0]] sinusoidal features → [B, 4·block_out_channels[0]]
        var temb = TimeEmbedding.Forward(_timeProjection.Project(perSample).To(sample.Device));
        sink?.Record("time_embedding", temb);
        var hidden = Config.CenterInputSample ? Ops.Sub(Ops.Mul(sample, 2.0), 1.0) : sample;
        hidden = ConvIn.Forward(hidden);
        sink?.Record("conv_in", hidden);

        var skips = new List<Tensor> { hidden };
        for (var i = 0; i < DownBlocks.Count; i++)
        {
            hidden = DownBlocks[i].Forward(hidden, temb, context, skips);
            sink?.Record($"down_blocks.{i}", hidden);
        }

        if (MidBlock is not null)
        {
            hidden = MidBlock.Forward(hidden, temb, context);
            sink?.Record("mid_block", hidden);
        }

        var overallUp = 1 << (UpBlocks.Count - 1);
        var forwardUpsampleSize = sample.Shape[2] % overallUp != 0 || sample.Shape[3] % overallUp != 0;
        for (var i = 0; i < UpBlocks.Count; i++)
        {
            var block = UpBlocks[i];
            var isFinal = i == UpBlocks.Count - 1;
            // The skip the next level will concatenate first sits just below this level's skips.
            (int, int)? upsampleSize = null;
            if (!isFinal && forwardUpsampleSize)
            {
                var next = skips[skips.Count - block.SkipCount - 1];
                upsampleSize = (next.Shape[2], next.Shape[3]);
            }

            var previous = hidden;
            hidden = block.Forward(hidden, skips, temb, context, upsampleSize);
            // The level's input (the mid block's or the previous level's output) is not needed again.
            previous.Dispose();

            sink?.Record($"up_blocks.{i}", hidden);
        }

        var result = ConvOut.Forward(Ops.Silu(ConvNormOut.Forward(hidden)));
        sink?.Record("out", result);
        return result.MoveToOuterScope();
    }
}
