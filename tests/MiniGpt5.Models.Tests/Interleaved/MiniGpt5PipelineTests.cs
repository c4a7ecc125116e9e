using System.Text.Json.Nodes;
using MiniGpt5.Imaging;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.StableDiffusion.Pipeline;

namespace MiniGpt5.Models.Tests.Interleaved;

/// <summary>
/// The whole tiny turn with its image: the tiny MiniGPT-5 folder points at the SD helper's tiny SD-2-style folder
/// (tests/golden/sd/tiny-sd, cross_attention_dim 32); the reference runs tools/reference/sd_reference.py's pipeline
/// on the reference conditioning (PNDM, 5 steps, guidance 7.5, latents seeded with the turn's seed, 32×32). Our
/// image matches the reference's 8-bit image within 2 levels per channel (float32 differences of ~1e-5 can flip a
/// rounding), with a mean difference under 0.1 level.
/// </summary>
public sealed class MiniGpt5PipelineTests
{
    private static readonly Lazy<MiniGpt5Pipeline> Pipeline = new(() => MiniGpt5Pipeline.Load(Goldens.Path("turn", "model")));
    private static readonly Lazy<JsonObject> Meta = new(() => Goldens.Json("turn", "expected.json"));

    [Fact]
    public void A_seeded_turn_writes_the_reference_text_and_draws_the_reference_image()
    {
        var expected = Goldens.Tensors("turn", "expected.safetensors");
        var sd = Meta.Value["sd"]!;
        var progress = new List<StableDiffusionProgress>();
        var result = Pipeline.Value.RunTurn(new MiniGpt5TurnRequest
        {
            Prompt = Meta.Value["prompt"]!.GetValue<string>(),
            Images = Meta.Value["images"]!.AsArray().Select(n => ImageCodec.LoadAsync(Goldens.Path("turn", n!.GetValue<string>())).GetAwaiter().GetResult()).ToList(),
            Generation = new MiniGpt5GenerationOptions
            {
                Seed = Meta.Value["seed"]!.GetValue<ulong>(),
                MaxNewTokens = Meta.Value["max_new_tokens"]!.GetValue<int>(),
            },
            Steps = sd["steps"]!.GetValue<int>(),
            GuidanceScale = sd["guidance_scale"]!.GetValue<double>(),
        }, progress: new SyncProgress(progress));

        Assert.Equal(Goldens.Ints(Meta.Value["sequence"]).Skip(1), result.Tokens);
        Assert.True(result.HasVokens);
        var image = Assert.IsType<Image>(result.Image);
        Assert.Equal((32, 32), (image.Width, image.Height));
        Assert.Equal(6, progress.Count(p => p.Phase == "denoise"));     // 5 PNDM steps = 6 UNet evaluations
        Assert.True(result.Timings.ImageGeneration > TimeSpan.Zero);

        var reference = expected["image_u8"].Values;                    // [32, 32, 3] HWC
        var rgb = image.ConvertTo(PixelFormat.Rgb).Pixels;
        Assert.Equal(reference.Length, rgb.Length);
        double total = 0;
        var worst = 0;
        for (var i = 0; i < rgb.Length; i++)
        {
            var diff = Math.Abs(rgb[i] - (int)reference[i]);
            worst = Math.Max(worst, diff);
            total += diff;
        }

        Assert.True(worst <= 2, $"largest pixel difference {worst} levels");
        Assert.True(total / rgb.Length < 0.1, $"mean pixel difference {total / rgb.Length:F3} levels");
    }

    [Fact]
    public async Task Illustrating_a_step_uses_the_vist_prompt_with_the_earlier_images()
    {
        var first = await ImageCodec.LoadAsync(Goldens.Path("turn", "input0.png"));
        var result = await ((IIllustrator)Pipeline.Value).IllustrateAsync(
            [new IllustrationStep("a red cube on a table.", first), new IllustrationStep("the cube falls down.", null)],
            "the cube breaks.",
            seed: 3,
            new IllustrationOptions { MaxNewTokens = 12, Steps = 2 });

        Assert.Equal(
            MiniGpt5Prompts.VistSystemPrompt + "###Human:a red cube on a table.<Img><ImageHere></Img>the cube falls down.\n" +
            " Generate an image with the scene description: the cube breaks. ###Assistant:",
            result.Prompt);
        Assert.True(result.Timings.PromptLength > 4);
        Assert.Equal(result.Image is not null, result.Timings.ImageGeneration > TimeSpan.Zero);
        Assert.DoesNotContain("[IMG", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            ((IIllustrator)Pipeline.Value).IllustrateAsync([], "x", 1, new IllustrationOptions { Steps = 0 }));
        Assert.Equal("Steps", error.ParamName);
    }

    /// <summary>Records progress synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<StableDiffusionProgress> items) : IProgress<StableDiffusionProgress>
    {
        public void Report(StableDiffusionProgress value) => items.Add(value);
    }
}
