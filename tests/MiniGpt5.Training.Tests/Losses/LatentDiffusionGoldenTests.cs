using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Testing;
using MiniGpt5.Text.Clip;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Losses;

/// <summary>
/// MiniGPT-5's image loss and caption target on tiny SD models against PyTorch (ldm.safetensors): the same seed gives
/// the same posterior sample, noise and timesteps (torch's CPU generator), the same loss (1e-5 relative), and the same
/// gradient of the conditioning through the frozen UNet (1e-4 of its largest entry).
/// </summary>
public sealed class LatentDiffusionGoldenTests
{
    private static string Tiny(string component) => RepoPaths.GoldenFile("training", "tiny-sd", component);

    [Fact]
    public void Image_loss_draws_and_gradients_match_torch()
    {
        using var golden = new GoldenCases("ldm.safetensors");
        var c = golden.Case("image_loss");
        using var unet = UNet2DConditionModel.FromPretrained(Tiny("unet"));
        using var vae = AutoencoderKL.FromPretrained(Tiny("vae"));
        using var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Load(Path.Combine(Tiny("scheduler"), "scheduler_config.json")));
        var loss = new LatentDiffusionLoss(unet, vae, scheduler);
        using var scope = TensorScope.Enter();
        var images = golden.Tensor(c, "images");
        var conditioning = golden.Tensor(c, "conditioning");
        conditioning.RequiresGrad = true;
        var generator = new Generator((ulong)c.Int("seed"));
        var latents = loss.EncodeLatents(images, generator);
        Close.Assert(golden.Tensor(c, "latents").ToFloatArray(), latents.ToFloatArray(), 1e-5, 1e-6, "posterior sample");

        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        var draw = loss.FromLatents(latents, conditioning, generator);
        Assert.Equal(golden.Tensor(c, "timesteps").ToArray<long>(), draw.Timesteps);
        Close.Assert(golden.Tensor(c, "weights").ToFloatArray(), draw.Weights, 1e-6, 0, "min-SNR weights");
        Close.Assert(golden.Tensor(c, "loss").ToFloatArray(), [draw.Loss.Item<float>()], 1e-5, 0, "loss");
        tape.Backward(draw.Loss, store);
        Close.Assert(golden.Tensor(c, "grad.conditioning").ToFloatArray(), store.Get(conditioning)!.ToFloatArray(), 1e-4, 1e-9, "dconditioning");
    }

    [Fact]
    public void Caption_targets_use_the_padding_mask_like_the_reference()
    {
        using var golden = new GoldenCases("ldm.safetensors");
        var c = golden.Case("caption");
        using var text = ClipTextModel.FromPretrained(Tiny("text_encoder"));
        var tokenizer = ClipTokenizer.Load(Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "clip-sd2"));
        var encoder = new CaptionEncoder(text, tokenizer);
        using var scope = TensorScope.Enter();
        var ids = golden.Tensor(c, "ids").ToArray<long>();
        var masks = golden.Tensor(c, "mask").ToArray<long>();
        var encodings = Enumerable.Range(0, 2).Select(b =>
        {
            var rowIds = ids.Skip(b * 77).Take(77).Select(i => (int)i).ToArray();
            var rowMask = masks.Skip(b * 77).Take(77).Select(m => (int)m).ToArray();
            return new ClipEncoding(rowIds, rowMask, rowMask.Sum(), false);
        }).ToList();
        var masked = encoder.Encode(encodings);
        Close.Assert(golden.Tensor(c, "out").ToFloatArray(), masked.ToFloatArray(), 1e-5, 1e-6, "masked CLIP");
        // Without the mask the padded positions differ (what the mask is there for).
        var plain = text.Forward(golden.Tensor(c, "ids"));
        Close.Assert(golden.Tensor(c, "unmasked").ToFloatArray(), plain.ToFloatArray(), 1e-5, 1e-6, "unmasked CLIP");
        Assert.NotEqual(plain.ToFloatArray(), masked.ToFloatArray());

        // The tokenizer path: BOS, content, EOS, then "!" padding, as encode_caption builds it.
        var empty = tokenizer.EncodeForModel(string.Empty);
        Assert.Equal([1212, 1213, 0], empty.InputIds[..3]);
        Assert.Equal([1, 1, 0], empty.AttentionMask[..3]);
        Assert.Equal(77, empty.InputIds.Length);
    }
}
