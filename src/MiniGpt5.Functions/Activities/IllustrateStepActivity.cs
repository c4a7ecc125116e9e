using System.Text.Json;
using MiniGpt5.Durable;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// Illustrates one step on a worker that holds the model (gpu queue), writing <c>steps/NNN.png</c> then
/// <c>steps/NNN.json</c> create-only. The record is written last and is the proof of completion: a redelivery or
/// a retry that finds it returns it without running the model, and one that finds only the image (a crash between
/// the two writes) keeps that image. Same input, same seed, same picture, so whichever delivery writes first wins.
/// A response without an image is a failed step (recorded, not retried: the seed would give the same answer).
/// </summary>
public sealed class IllustrateStepActivity(IBlobStore blobs, IIllustratorSource models) : IActivity<IllustrateStepInput, StepResult>
{
    /// <inheritdoc />
    public async Task<StepResult> RunAsync(ActivityContext context, IllustrateStepInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = context.CancellationToken;
        var folder = new BlobBookFolder(blobs, input.Book);

        var recorded = await folder.ReadFileAsync(input.MetadataPath, cancellationToken).ConfigureAwait(false);
        if (recorded is not null)
        {
            return JsonSerializer.Deserialize(recorded, BookJsonContext.Default.StepResult)
                ?? throw new InvalidDataException($"{input.Book.BlobName(input.MetadataPath)} holds no step record.");
        }

        var model = await models.GetAsync(cancellationToken).ConfigureAwait(false);
        var options = IllustrationOptionsFor(input.Options);
        var settings = new StepSettings(
            SchedulerName(input.Options.Scheduler) ?? "pndm",
            options.Steps,
            options.GuidanceScale,
            input.Options.ImageWidth ?? 0,
            input.Options.ImageHeight ?? 0,
            input.Options.Style);
        var context0 = input.Context.Select(text => new IllustrationStep(text, null)).ToList();
        var result = await model.Illustrator.IllustrateAsync(context0, PromptFor(input.Text, input.Options.Style), input.Seed, options, cancellationToken).ConfigureAwait(false);

        var timings = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["text"] = (result.Timings.ImageEncoding + result.Timings.Prefill + result.Timings.Decode).TotalMilliseconds,
            ["mapping"] = result.Timings.Mapping.TotalMilliseconds,
            ["image"] = result.Timings.ImageGeneration.TotalMilliseconds,
            ["total"] = result.Timings.Total.TotalMilliseconds,
        };
        var step = new StepResult
        {
            StepNumber = input.StepNumber,
            Status = StepStatus.Succeeded,
            Text = input.Text,
            ImagePath = input.ImagePath,
            Seed = input.Seed,
            Settings = result.Image is null ? settings : settings with { Width = result.Image.Width, Height = result.Image.Height },
            ModelName = model.ModelName,
            ModelHash = model.ModelHash,
            TimingsMs = timings,
            Attempts = context.Attempt,
        };

        if (result.Image is null)
        {
            step = step with
            {
                Status = StepStatus.Failed,
                ImagePath = null,
                Error = $"the model answered without an image (it wrote: \"{Truncate(result.Text, 200)}\").",
            };
        }
        else
        {
            await folder.WriteFileAsync(input.ImagePath, PngEncoder.Encode(result.Image), createOnly: true, cancellationToken).ConfigureAwait(false);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(step, BookJsonContext.Default.StepResult);
        if (!await folder.WriteFileAsync(input.MetadataPath, json, createOnly: true, cancellationToken).ConfigureAwait(false))
        {
            // Another delivery of this step finished first: its record is the one in the book.
            var winner = await folder.ReadFileAsync(input.MetadataPath, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(winner!, BookJsonContext.Default.StepResult)!;
        }

        return step;
    }

    /// <summary>The step text the model sees: the style prompt, when there is one, follows the text.</summary>
    internal static string PromptFor(string text, string? style) =>
        string.IsNullOrWhiteSpace(style) ? text : $"{text.TrimEnd().TrimEnd('.')}, {style.Trim()}";

    /// <summary>The model options for a manuscript's options (the model's defaults where they say nothing).</summary>
    internal static IllustrationOptions IllustrationOptionsFor(ManuscriptOptions options)
    {
        var defaults = IllustrationOptions.Default;
        return defaults with
        {
            Steps = options.InferenceSteps ?? defaults.Steps,
            GuidanceScale = options.GuidanceScale ?? defaults.GuidanceScale,
            Width = options.ImageWidth ?? defaults.Width,
            Height = options.ImageHeight ?? defaults.Height,
            Scheduler = SchedulerName(options.Scheduler) ?? defaults.Scheduler,
        };
    }

    /// <summary>
    /// The diffusion scheduler for a manuscript's sampler name. <c>euler</c> maps to the Euler-ancestral sampler,
    /// the Euler variant the image pipeline has.
    /// </summary>
    internal static string? SchedulerName(string? manuscriptSampler) => manuscriptSampler switch
    {
        null => null,
        "pndm" => "pndm",
        "ddim" => "ddim",
        "dpmsolver++" => "dpm++2m",
        "euler" => "euler-a",
        _ => manuscriptSampler,
    };

    private static string Truncate(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");
}
