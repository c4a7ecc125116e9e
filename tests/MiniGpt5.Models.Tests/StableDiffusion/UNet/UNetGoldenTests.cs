using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.StableDiffusion.UNet;

/// <summary>
/// The tiny UNets of tests/golden/sd against the PyTorch reference (tools/reference/sd_reference.py, written from
/// diffusers' unet_2d_condition.py): every named block output and the prediction. Tolerance: 1e-4 relative to each
/// tensor's scale (float32 all the way).
/// </summary>
public sealed class UNetGoldenTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Sd2_style_unet_matches_reference_block_by_block()
    {
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(SdGoldens.TinyModel, "unet"));
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context");
        using var sink = new RecordingSink();
        var output = unet.Forward(sample, 981, context, sink);
        string[] blocks = ["time_embedding", "conv_in", "down_blocks.0", "down_blocks.1", "mid_block", "up_blocks.0", "up_blocks.1", "out"];
        Assert.Equal(blocks.Order(), sink.Values.Keys.Order());
        foreach (var name in blocks)
        {
            SdGoldens.AssertCloseRelative(SdGoldens.Load("models.safetensors", "unet." + name), sink.Values[name], Tolerance, name);
        }

        SdGoldens.AssertCloseRelative(SdGoldens.Load("models.safetensors", "unet.out"), output, Tolerance, "output");
    }

    [Fact]
    public void Odd_latent_sizes_upsample_to_the_skip_size()
    {
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(SdGoldens.TinyModel, "unet"));
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet.odd.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context").Narrow(0, 0, 1);
        var output = unet.Forward(sample, 500, context);
        Assert.Equal([1, 4, 9, 14], output.ShapeArray());
        SdGoldens.AssertCloseRelative(SdGoldens.Load("models.safetensors", "unet.odd.out"), output, Tolerance, "odd-size output");
    }

    [Fact]
    public void Fractional_per_sample_timesteps_embed_like_torch()
    {
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(SdGoldens.TinyModel, "unet"));
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context");
        var output = unet.Forward(sample, [999f, 12.5f], context);
        SdGoldens.AssertCloseRelative(SdGoldens.Load("models.safetensors", "unet.float_t.out"), output, Tolerance, "float timesteps");
    }

    [Fact]
    public void Sd1_style_unet_with_conv_projection_integer_heads_and_only_cross_attention_matches_reference()
    {
        var folder = MiniGpt5.Testing.RepoPaths.GoldenFile("sd", "models", "unet-sd1-style");
        using var unet = UNet2DConditionModel.FromPretrained(folder);
        Assert.False(unet.Config.UseLinearProjection);
        Assert.Equal([2, 2], unet.Config.AttentionHeads);
        Assert.Equal([true, false], unet.Config.OnlyCrossAttention);
        Assert.False(unet.Config.MidBlockOnlyCrossAttention);
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet_sd1.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context");
        using var sink = new RecordingSink();
        unet.Forward(sample, 250, context, sink);
        foreach (var name in new[] { "time_embedding", "conv_in", "down_blocks.0", "down_blocks.1", "mid_block", "up_blocks.0", "up_blocks.1", "out" })
        {
            SdGoldens.AssertCloseRelative(SdGoldens.Load("models.safetensors", "unet_sd1." + name), sink.Values[name], Tolerance, name);
        }
    }
}
