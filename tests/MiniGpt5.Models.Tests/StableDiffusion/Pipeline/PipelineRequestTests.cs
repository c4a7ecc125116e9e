using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.StableDiffusion.Pipeline;

/// <summary>Request validation, cancellation, seeding and warnings of the pipeline on the tiny model.</summary>
public sealed class PipelineRequestTests : IClassFixture<TinyPipelineFixture>
{
    private readonly StableDiffusionPipeline _pipeline;

    public PipelineRequestTests(TinyPipelineFixture fixture) => _pipeline = fixture.Pipeline;

    [Fact]
    public void Sizes_that_are_not_multiples_of_the_vae_factor_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _pipeline.Generate(new StableDiffusionRequest { Prompt = "x", Steps = 1, Width = 33, Height = 32 }));
        Assert.Contains("multiples of 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(32, _pipeline.DefaultImageSize);
    }

    [Fact]
    public void Conditioning_of_the_wrong_shape_says_what_is_expected()
    {
        using var wrong = Tensor.Zeros([1, 77, 16]);
        var error = Assert.Throws<ArgumentException>(() => _pipeline.Generate(new StableDiffusionRequest { PromptEmbeddings = wrong, Steps = 1 }));
        Assert.Contains("[1, tokens, 32]", error.Message, StringComparison.Ordinal);

        using var embeddings = Tensor.Zeros([1, 77, 32]);
        Assert.Throws<ArgumentException>(() => _pipeline.Generate(new StableDiffusionRequest { Prompt = "x", PromptEmbeddings = embeddings, Steps = 1 }));
        Assert.Throws<ArgumentException>(() => _pipeline.Generate(new StableDiffusionRequest { Steps = 1 }));
    }

    [Fact]
    public void Cancellation_is_checked_before_every_step()
    {
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new SynchronousProgress<StableDiffusionProgress>(p =>
        {
            steps = p.Step;
            if (p.Step == 2)
            {
                cancel.Cancel();
            }
        });
        Assert.Throws<OperationCanceledException>(() => _pipeline.Generate(new StableDiffusionRequest { Prompt = "a fox", Steps = 10, Width = 16, Height = 16 }, progress, cancel.Token));
        Assert.Equal(2, steps);
    }

    [Fact]
    public void The_same_seed_gives_the_same_image_and_another_seed_does_not()
    {
        var request = new StableDiffusionRequest { Prompt = "a fox", Steps = 3, Width = 16, Height = 16, Seed = 5, Scheduler = "euler-a" };
        using var first = _pipeline.Generate(request);
        using var again = _pipeline.Generate(request);
        using var other = _pipeline.Generate(request with { Seed = 6 });
        Assert.Equal(first.Latents.ToFloatArray(), again.Latents.ToFloatArray());
        Assert.NotEqual(first.Latents.ToFloatArray(), other.Latents.ToFloatArray());
    }

    [Fact]
    public void Prompts_longer_than_clip_allows_are_cut_with_a_warning()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("a photograph of a fox", 30));
        using var result = _pipeline.Generate(new StableDiffusionRequest { Prompt = prompt, Steps = 1, Width = 16, Height = 16 });
        Assert.Single(result.Warnings);
        Assert.Contains("77 tokens", result.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_prompt_gives_the_reference_clip_conditioning()
    {
        using var expected = SdGoldens.Load("models.safetensors", "text.last_hidden_state");
        using var scope = TensorScope.Enter();
        var prompt = _pipeline.EncodePrompt("a photograph of an astronaut riding a horse");
        SdGoldens.AssertCloseRelative(expected.Narrow(0, 0, 1), prompt, 1e-4, "prompt");
        var empty = _pipeline.EncodePrompt(string.Empty);
        SdGoldens.AssertCloseRelative(expected.Narrow(0, 1, 1), empty, 1e-4, "empty prompt");
    }
}
