using MiniGpt5.Models.StableDiffusion.Pipeline;

namespace MiniGpt5.Models.Tests.StableDiffusion.Pipeline;

/// <summary>The tiny SD folder of tests/golden/sd, loaded once per test class.</summary>
public sealed class TinyPipelineFixture : IDisposable
{
    public TinyPipelineFixture() => Pipeline = StableDiffusionPipeline.Load(SdGoldens.TinyModel);

    public StableDiffusionPipeline Pipeline { get; }

    public void Dispose() => Pipeline.Dispose();
}
