using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Testing;
using MiniGpt5.Training.LatentDiffusion;

namespace MiniGpt5.Training.Tests.LatentDiffusion;

/// <summary>models/nano/stable-diffusion loads in our diffusers pipeline and draws 64×64 images deterministically.</summary>
public sealed class NanoSdShippedModelTests
{
    private static string Folder => Path.Combine(RepoPaths.RepoRoot, "models", "nano", "stable-diffusion");

    [Fact]
    public void Loads_and_generates_the_same_64x64_image_from_the_same_seed()
    {
        using var pipeline = StableDiffusionPipeline.Load(Folder);
        var architecture = NanoSdArchitecture.Default;
        Assert.Equal(64, pipeline.DefaultImageSize);
        Assert.Equal(architecture.TextWidth, pipeline.Unet.Config.CrossAttentionDim[0]);
        Assert.Equal(architecture.TextLength, pipeline.TextEncoder!.Config.MaxPositionEmbeddings);
        var request = new StableDiffusionRequest
        {
            Prompt = "a big red circle in the middle on a white background.",
            Steps = 4,
            GuidanceScale = 3,
            Seed = 11,
            Scheduler = "ddim",
        };
        using var first = pipeline.Generate(request);
        using var second = pipeline.Generate(request);
        using var other = pipeline.Generate(request with { Seed = 12 });
        Assert.Equal((64, 64), (first.Image.Width, first.Image.Height));
        Assert.Equal(first.Image.Pixels, second.Image.Pixels);
        Assert.NotEqual(first.Image.Pixels, other.Image.Pixels);
        using var conditioning = pipeline.EncodePrompt(request.Prompt);
        Assert.Equal([1, architecture.TextLength, architecture.TextWidth], conditioning.ShapeArray());
    }
}
