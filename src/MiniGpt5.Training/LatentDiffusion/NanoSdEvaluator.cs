using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Judge;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Text-to-image accuracy of a nano Stable Diffusion folder: images generated from held-out captions (test-split scenes,
/// never trained on) are read by <see cref="NanoJudge"/> and compared with the scene the caption describes.
/// </summary>
public static class NanoSdEvaluator
{
    /// <summary>The sampler and step count used for evaluation (and the shipped defaults).</summary>
    public const string Scheduler = "ddim";

    /// <summary>Denoising steps per image.</summary>
    public const int DefaultSteps = 25;

    /// <summary>
    /// Judges <paramref name="count"/> images generated from the first test-split captions of world seed
    /// <paramref name="worldSeed"/>; image i uses seed <paramref name="seed"/> + i. A guidance scale ≤ 1 means no
    /// classifier-free guidance. <paramref name="onImage"/> sees every caption, image and judgement.
    /// </summary>
    public static NanoJudgeSummary Evaluate(
        StableDiffusionPipeline pipeline, int count, double guidanceScale, ulong worldSeed = 0, ulong seed = 0, int steps = DefaultSteps,
        Action<int, string, MiniGpt5.Imaging.Image, StepJudgement>? onImage = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var judge = new NanoJudge();
        var judgements = new List<StepJudgement>(count);
        var index = 0;
        foreach (var sample in NanoDatasetSampler.Captions(worldSeed, NanoSplit.Test).Take(count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var request = new StableDiffusionRequest
            {
                Prompt = sample.Caption,
                GuidanceScale = guidanceScale,
                Steps = steps,
                Seed = seed + (ulong)index,
                Scheduler = Scheduler,
            };
            using var result = pipeline.Generate(request, cancellationToken: cancellationToken);
            var judgement = judge.JudgeStep(sample.Scene, result.Image);
            judgements.Add(judgement);
            onImage?.Invoke(index, sample.Caption, result.Image, judgement);
            index++;
        }

        return NanoJudgeSummary.Of(judgements);
    }
}
