using System.Diagnostics;
using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// MiniGPT-5 end to end (model.py <c>generate</c>): the LLM writes the response; if it produced [IMG0], the voken
/// features go through the mapper and Stable Diffusion draws the image with the mapper's output as conditioning and
/// the mapper of zeros as the classifier-free-guidance negative (guidance 7.5, PNDM 50 steps, 512×512 by default).
/// Turns run one at a time.
/// </summary>
public sealed class MiniGpt5Pipeline : IIllustrator, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A pipeline over loaded parts (it takes ownership); <paramref name="imageGenerator"/> null gives text only.</summary>
    public MiniGpt5Pipeline(MiniGpt5Model model, StableDiffusionPipeline? imageGenerator)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        ImageGenerator = imageGenerator;
        if (imageGenerator is not null && imageGenerator.Unet.Config.CrossAttentionDim[0] != model.Mapper.Config.Width)
        {
            throw new MiniGpt5ModelException(imageGenerator.Folder,
                $"the UNet's cross_attention_dim is {imageGenerator.Unet.Config.CrossAttentionDim[0]} but the mapper writes {model.Mapper.Config.Width}-wide conditioning.");
        }
    }

    /// <summary>LLM, image path and mapper.</summary>
    public MiniGpt5Model Model { get; }

    /// <summary>Stable Diffusion, or null when the model folder names none.</summary>
    public StableDiffusionPipeline? ImageGenerator { get; }

    /// <summary>
    /// Loads a MiniGPT-5 folder (<see cref="MiniGpt5ModelConfig"/>) and its Stable Diffusion folder (UNet, VAE and
    /// scheduler only: MiniGPT-5 never runs the CLIP text encoder at inference) in <paramref name="sdWeightDType"/>.
    /// </summary>
    public static MiniGpt5Pipeline Load(string folder, DType sdWeightDType = DType.Float32, CancellationToken cancellationToken = default)
    {
        var model = MiniGpt5Model.Load(folder, cancellationToken);
        try
        {
            var sd = model.Config.StableDiffusionFolder is { } sdFolder
                ? StableDiffusionPipeline.Load(sdFolder, new StableDiffusionLoadOptions { LoadTextEncoder = false, WeightDType = sdWeightDType }, cancellationToken)
                : null;
            return new MiniGpt5Pipeline(model, sd);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One turn: text (streamed through <paramref name="onToken"/>) and, when the response has [IMG0] and the model has
    /// an image generator, the image (denoising progress through <paramref name="progress"/>).
    /// </summary>
    public MiniGpt5TurnResult RunTurn(
        MiniGpt5TurnRequest request,
        Action<int>? onToken = null,
        IProgress<StableDiffusionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var generation = Model.Generate(request.Prompt, request.Images, request.Generation, onToken, cancellationToken);
        var timings = generation.Timings;
        Imaging.Image? image = null;
        if (generation.VokenFeatures is { } features && ImageGenerator is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var (conditioning, negative) = Model.MapVokens(features);
            using (conditioning)
            using (negative)
            {
                var mapping = watch.Elapsed;
                watch.Restart();
                using var result = ImageGenerator.Generate(new StableDiffusionRequest
                {
                    PromptEmbeddings = conditioning,
                    NegativePromptEmbeddings = negative,
                    Steps = request.Steps,
                    GuidanceScale = request.GuidanceScale,
                    Seed = request.ImageSeed ?? request.Generation.Seed,
                    Width = request.Width,
                    Height = request.Height,
                    Scheduler = request.Scheduler,
                }, progress, cancellationToken);
                image = result.Image;
                timings = timings with { Mapping = mapping, ImageGeneration = watch.Elapsed };
            }
        }

        return new MiniGpt5TurnResult
        {
            Text = generation.Text,
            RawText = generation.RawText,
            Tokens = generation.GeneratedTokens,
            Image = image,
            HasVokens = generation.HasImage,
            StopReason = generation.StopReason,
            Timings = timings,
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// The prompt is VIST's image-generation template (the task the released VIST model was evaluated on): the earlier
    /// captions, each followed by its image slot when it has an image and the model can see images, then
    /// "Generate an image with the scene description: {step}".
    /// </remarks>
    public async Task<IllustrationResult> IllustrateAsync(
        IReadOnlyList<IllustrationStep> contextSteps,
        string stepText,
        ulong seed,
        IllustrationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contextSteps);
        ArgumentNullException.ThrowIfNull(stepText);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var context = contextSteps.Skip(Math.Max(0, contextSteps.Count - options.MaxContextSteps)).ToList();
        var seesImages = Model.ImageEncoder is not null;
        var prompt = MiniGpt5Prompts.VistImageGeneration(
            context.Select(s => (s.Text, seesImages && s.Image is not null)), stepText, options.SystemPrompt);
        var images = seesImages ? context.Where(s => s.Image is not null).Select(s => s.Image!).ToList() : [];
        var request = new MiniGpt5TurnRequest
        {
            Prompt = prompt,
            Images = images,
            Generation = new MiniGpt5GenerationOptions { Seed = seed, MaxNewTokens = options.MaxNewTokens },
            Steps = options.Steps,
            GuidanceScale = options.GuidanceScale,
            Width = options.Width,
            Height = options.Height,
            Scheduler = options.Scheduler,
        };

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The work is CPU/GPU-bound: keep it off the caller's thread.
            var turn = await Task.Run(() => RunTurn(request, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            return new IllustrationResult(turn.Text, turn.Image, prompt, turn.StopReason, turn.Timings);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Model.Dispose();
        ImageGenerator?.Dispose();
        _gate.Dispose();
    }
}
