using System.Diagnostics;
using System.Globalization;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Judge;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// Measures a MiniGPT-5-nano model on held-out (test-split) stories: every step is illustrated through
/// <see cref="MiniGpt5Pipeline.IllustrateAsync"/> with the earlier steps' texts as context (the model is text-only), and
/// <see cref="NanoJudge"/> compares the image with the step's scene; text perplexity is the LLM's perplexity of each
/// step's text after the VIST "next scene" prompt with the story so far.
/// </summary>
public sealed class NanoEvaluator(ulong seed, int stories, int denoisingSteps)
{
    private readonly NanoJudge _judge = new();

    /// <summary>The held-out stories (the first <c>stories</c> of the test split under the seed).</summary>
    public IReadOnlyList<NanoStory> Stories { get; } =
        NanoDatasetSampler.Stories(seed, NanoSplit.Test).Take(stories).Select(s => s.Story).ToList();

    /// <summary>Illustrates and judges every held-out step with <paramref name="pipeline"/> at <paramref name="guidance"/>.</summary>
    public async Task<NanoEvaluationRow> EvaluateAsync(
        string variant, MiniGpt5Pipeline pipeline, double guidance, double textPerplexity, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var clock = Stopwatch.StartNew();
        var options = new IllustrationOptions { Steps = denoisingSteps, GuidanceScale = guidance, MaxNewTokens = 48, Scheduler = "pndm" };
        var judgements = new List<StepJudgement>();
        var withImage = 0;
        for (var s = 0; s < Stories.Count; s++)
        {
            var story = Stories[s];
            var context = new List<IllustrationStep>();
            foreach (var step in story.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stepSeed = seed * 1_000_003UL + ((ulong)s * 16) + (ulong)step.Index;
                var result = await pipeline.IllustrateAsync(context, step.Text, stepSeed, options, cancellationToken).ConfigureAwait(false);
                StepJudgement judgement;
                if (result.Image is { } image)
                {
                    withImage++;
                    judgement = _judge.JudgeStep(step.Scene, image);
                }
                else
                {
                    judgement = NothingShown(step.Scene);
                }

                judgements.Add(judgement);
                context.Add(new IllustrationStep(step.Text, null));
            }

            log?.Report(string.Create(CultureInfo.InvariantCulture, $"{variant} guidance {guidance}: story {s + 1}/{Stories.Count}, {judgements.Count(j => j.Matches)}/{judgements.Count} steps match"));
        }

        var summary = NanoJudgeSummary.Of(judgements);
        return new NanoEvaluationRow(variant, guidance, summary.Steps, summary.StepAccuracy, summary.AttributeAccuracy,
            judgements.Count == 0 ? double.NaN : withImage / (double)judgements.Count, textPerplexity, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// exp(mean cross entropy) of the held-out step texts: for step i the input is the text-only VIST "-multimodal"
    /// prompt ("Tell me the next scene with image.") with steps 0..i−1 and the target "{text} [vokens] ###", of which only
    /// the text's tokens are scored.
    /// </summary>
    public double TextPerplexity(MiniGpt5Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = GradMode.NoGrad();
        double total = 0;
        long tokens = 0;
        foreach (var story in Stories)
        {
            var previous = new List<string>();
            foreach (var step in story.Steps)
            {
                using var scope = TensorScope.Enter();
                var prompt = previous.Count > 0 ? string.Concat(previous) + "\n" : string.Empty;
                var source = PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, PromptTemplates.VistMultimodal[0], prompt);
                var sourceIds = model.Tokenizer.Encode(source);
                var textIds = model.Tokenizer.Encode(step.Text);
                var restIds = model.Tokenizer.Encode($"{step.Text} {PromptTemplates.AllVokens} ###")[textIds.Length..];
                int[] ids = [.. sourceIds, .. textIds, .. restIds];
                // Warped labels: BOS, then the ids; only the text is scored.
                var labels = new long[ids.Length + 1];
                Array.Fill(labels, TokenizedSample.IgnoreIndex);
                for (var t = 0; t < textIds.Length; t++)
                {
                    labels[1 + sourceIds.Length + t] = textIds[t];
                }

                var embeds = model.BuildInputEmbeddings(ids, null, 0);                       // [1, L, D]
                using var positions = Tensor.Arange(embeds.Shape[1]);
                var logits = model.Llm.Logits(model.Llm.Model.Forward(embeds, positions));   // [1, L, V]
                var loss = CausalLmLoss.Compute(logits, Tensor.FromArray<long>(labels, [1, labels.Length]));
                total += loss.Item<float>() * textIds.Length;
                tokens += textIds.Length;
                previous.Add(step.Text);
            }
        }

        return Math.Exp(total / Math.Max(1, tokens));
    }

    /// <summary>The judgement of a step that got no image: no background, no objects (every check fails).</summary>
    private static StepJudgement NothingShown(NanoScene expected)
    {
        var other = (BackgroundColor)(((int)expected.Background + 1) % Enum.GetValues<BackgroundColor>().Length);
        return NanoJudge.Compare(expected, new DetectedScene(other, default, double.PositiveInfinity, []));
    }
}
