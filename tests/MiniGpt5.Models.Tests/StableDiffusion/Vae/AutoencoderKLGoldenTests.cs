using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Testing;

namespace MiniGpt5.Models.Tests.StableDiffusion.Vae;

/// <summary>
/// The tiny AutoencoderKL of tests/golden/sd against the PyTorch reference (diffusers' autoencoder_kl.py / vae.py):
/// encoder and decoder block by block, the posterior, a seeded posterior sample, odd sizes, and the older attention
/// key names (query/key/value/proj_attn, saved as a PyTorch .bin). Tolerance: 1e-4 relative to each tensor's scale.
/// </summary>
public sealed class AutoencoderKLGoldenTests
{
    private const double Tolerance = 1e-4;
    private const string File = "models.safetensors";

    [Fact]
    public void Decoder_matches_reference_block_by_block()
    {
        using var vae = AutoencoderKL.FromPretrained(Path.Combine(SdGoldens.TinyModel, "vae"));
        Assert.Equal(0.18215, vae.Config.ScalingFactor);
        Assert.Equal(2, vae.Config.ScaleFactor);
        using var scope = TensorScope.Enter();
        using var sink = new RecordingSink();
        var image = vae.Decode(SdGoldens.Load(File, "vae.latents"), sink);
        foreach (var name in new[] { "decoder.mid_block", "decoder.up_blocks.0", "decoder.up_blocks.1" })
        {
            SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae." + name), sink.Values[name], Tolerance, name);
        }

        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.decoded"), image, Tolerance, "decoded image");
    }

    [Fact]
    public void Encoder_gives_the_reference_posterior_and_seeded_sample()
    {
        using var vae = AutoencoderKL.FromPretrained(Path.Combine(SdGoldens.TinyModel, "vae"));
        using var scope = TensorScope.Enter();
        using var sink = new RecordingSink();
        using var posterior = vae.Encode(SdGoldens.Load(File, "vae.image"), sink);
        foreach (var name in new[] { "encoder.down_blocks.0", "encoder.down_blocks.1", "encoder.mid_block" })
        {
            SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae." + name), sink.Values[name], Tolerance, name);
        }

        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.mean"), posterior.Mean, Tolerance, "mean");
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.logvar"), posterior.LogVar, Tolerance, "logvar");
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.posterior_sample_seed5"), posterior.Sample(new Generator(5)), Tolerance, "sample");
    }

    [Fact]
    public void Odd_sizes_pad_bottom_right_when_downsampling()
    {
        using var vae = AutoencoderKL.FromPretrained(Path.Combine(SdGoldens.TinyModel, "vae"));
        using var scope = TensorScope.Enter();
        using var posterior = vae.Encode(SdGoldens.Load(File, "vae.odd.image"));
        Assert.Equal([1, 4, 5, 6], posterior.Mean.ShapeArray());
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.odd.mean"), posterior.Mean, Tolerance, "odd mean");
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.odd.logvar"), posterior.LogVar, Tolerance, "odd logvar");
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.odd.decoded"), vae.Decode(SdGoldens.Load(File, "vae.odd.latents")), Tolerance, "odd decode");
    }

    [Fact]
    public void Old_attention_key_names_in_a_pytorch_bin_load_into_the_same_model()
    {
        var folder = RepoPaths.GoldenFile("sd", "models", "vae-legacy-attention");
        using var legacy = AutoencoderKL.FromPretrained(folder);
        using var scope = TensorScope.Enter();
        var image = legacy.Decode(SdGoldens.Load(File, "vae.latents"));
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "vae.decoded"), image, Tolerance, "decoded with old key names");
    }
}
