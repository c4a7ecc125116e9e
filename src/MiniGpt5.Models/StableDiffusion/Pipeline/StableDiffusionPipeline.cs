using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Tensors;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Text.Clip;

namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>
/// diffusers <c>StableDiffusionPipeline</c> (pipeline_stable_diffusion.py) over a diffusers folder: text (or
/// precomputed) conditioning, seeded latents N(0, 1)·init_noise_sigma, the denoising loop written out (one batch-2 UNet
/// call per step for classifier-free guidance, [negative, positive], ε = ε_u + g(ε_c − ε_u)), then the VAE decode of
/// latents / scaling_factor to an 8-bit image. Also the pieces on their own: <see cref="EncodePrompt"/>,
/// <see cref="Denoise"/>, <see cref="DecodeLatents"/>. Not thread-safe: one generation at a time per instance.
/// </summary>
public sealed class StableDiffusionPipeline : IDisposable
{
    private StableDiffusionPipeline(
        string folder,
        UNet2DConditionModel unet,
        AutoencoderKL vae,
        ClipTextModel? textEncoder,
        ClipTokenizer? tokenizer,
        SchedulerConfig schedulerConfig)
    {
        Folder = folder;
        Unet = unet;
        Vae = vae;
        TextEncoder = textEncoder;
        Tokenizer = tokenizer;
        SchedulerConfig = schedulerConfig;
    }

    /// <summary>The model folder.</summary>
    public string Folder { get; }

    public UNet2DConditionModel Unet { get; }

    public AutoencoderKL Vae { get; }

    /// <summary>Null when loaded with <see cref="StableDiffusionLoadOptions.LoadTextEncoder"/> false.</summary>
    public ClipTextModel? TextEncoder { get; }

    /// <summary>Null when loaded with <see cref="StableDiffusionLoadOptions.LoadTextEncoder"/> false.</summary>
    public ClipTokenizer? Tokenizer { get; }

    /// <summary>scheduler/scheduler_config.json; every scheduler is built from it.</summary>
    public SchedulerConfig SchedulerConfig { get; }

    /// <summary>Image pixels per latent pixel (8 for SD).</summary>
    public int VaeScaleFactor => Vae.Config.ScaleFactor;

    /// <summary>The default image side: unet sample_size × VAE scale factor (512 for SD-2.1-base).</summary>
    public int DefaultImageSize => (Unet.Config.SampleSize ?? 64) * VaeScaleFactor;

    /// <summary>
    /// Loads a diffusers Stable Diffusion folder: model_index.json, then unet/, vae/, text_encoder/ and tokenizer/
    /// (unless skipped) and scheduler/, each from its config and weights. Errors name the file or key at fault.
    /// </summary>
    /// <exception cref="StableDiffusionModelException">A folder, file or config field is missing or unsupported.</exception>
    /// <exception cref="Tensors.Serialization.CheckpointKeyMismatchException">A weight file's keys or shapes do not match.</exception>
    public static StableDiffusionPipeline Load(string folder, StableDiffusionLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= StableDiffusionLoadOptions.Default;
        folder = Path.GetFullPath(folder);
        var index = ModelIndex.Load(folder);
        index.Require("unet", "UNet2DConditionModel");
        index.Require("vae", "AutoencoderKL");
        index.Require("scheduler");
        if (options.LoadTextEncoder)
        {
            index.Require("text_encoder", "CLIPTextModel");
            index.Require("tokenizer", "CLIPTokenizer", "CLIPTokenizerFast");
        }

        var schedulerConfig = SchedulerConfig.Load(ComponentFile(folder, "scheduler", "scheduler_config.json"));
        var disposables = new List<IDisposable>();
        try
        {
            var unet = UNet2DConditionModel.FromPretrained(ComponentFolder(folder, "unet"), options.Variant, options.WeightDType, cancellationToken);
            disposables.Add(unet);
            var vae = AutoencoderKL.FromPretrained(ComponentFolder(folder, "vae"), options.Variant, options.WeightDType, cancellationToken);
            disposables.Add(vae);
            if (vae.Config.LatentChannels != unet.Config.InChannels)
            {
                throw new StableDiffusionModelException(Path.Combine(folder, "vae", "config.json"), "latent_channels",
                    $"is {vae.Config.LatentChannels} but unet/config.json has in_channels {unet.Config.InChannels}.");
            }

            ClipTextModel? textEncoder = null;
            ClipTokenizer? tokenizer = null;
            if (options.LoadTextEncoder)
            {
                textEncoder = ClipTextModel.FromPretrained(ComponentFolder(folder, "text_encoder"), options.Variant, options.WeightDType, cancellationToken);
                disposables.Add(textEncoder);
                if (textEncoder.Config.HiddenSize != unet.Config.CrossAttentionDim[0])
                {
                    throw new StableDiffusionModelException(Path.Combine(folder, "text_encoder", "config.json"), "hidden_size",
                        $"is {textEncoder.Config.HiddenSize} but unet/config.json has cross_attention_dim {unet.Config.CrossAttentionDim[0]}.");
                }

                tokenizer = ClipTokenizer.Load(ComponentFolder(folder, "tokenizer"));
                if (tokenizer.MaxLength > textEncoder.Config.MaxPositionEmbeddings)
                {
                    throw new StableDiffusionModelException(Path.Combine(folder, "tokenizer"), "model_max_length",
                        $"is {tokenizer.MaxLength} but the text encoder has {textEncoder.Config.MaxPositionEmbeddings} positions.");
                }
            }

            return new StableDiffusionPipeline(folder, unet, vae, textEncoder, tokenizer, schedulerConfig);
        }
        catch
        {
            foreach (var item in disposables)
            {
                item.Dispose();
            }

            throw;
        }
    }

    /// <summary>Generates one image: conditioning → <see cref="Denoise"/> → <see cref="DecodeLatents"/>.</summary>
    public StableDiffusionResult Generate(StableDiffusionRequest request, IProgress<StableDiffusionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var warnings = new List<string>();
        using var scope = TensorScope.Enter();
        var guided = request.GuidanceScale > 1.0;
        var positive = Conditioning(request.PromptEmbeddings, request.Prompt, "prompt", warnings)
            ?? throw new ArgumentException("Give a prompt or prompt embeddings.", nameof(request));
        Tensor? negative = null;
        if (guided)
        {
            // diffusers: without a negative prompt or embeddings, the unconditional input is CLIP("").
            negative = Conditioning(request.NegativePromptEmbeddings, request.NegativePrompt, "negative prompt", warnings)
                ?? Conditioning(null, string.Empty, "negative prompt", warnings)!;
            if (!negative.Shape.SequenceEqual(positive.Shape))
            {
                throw new ArgumentException(
                    $"Negative conditioning [{string.Join(", ", negative.ShapeArray())}] and conditioning [{string.Join(", ", positive.ShapeArray())}] must have the same shape.",
                    nameof(request));
            }
        }

        var latents = Denoise(positive, negative, request, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var decoded = Decode(latents);
        var image = ToImage(decoded);
        progress?.Report(new StableDiffusionProgress(1, 1, 0, "decode"));
        return new StableDiffusionResult(image, latents.DetachFromScope(), decoded.DetachFromScope(), warnings);
    }

    /// <summary>CLIP last_hidden_state of a prompt: [1, 77, D]. Caller owns the result.</summary>
    public Tensor EncodePrompt(string prompt) => EncodePromptCore(prompt, null);

    /// <summary>
    /// The denoising loop from seeded noise: [1, 4, H/f, W/f] latents after the last scheduler step (not yet divided by
    /// the scaling factor). <paramref name="negative"/> null means no guidance (one batch-1 UNet call per step).
    /// Checks <paramref name="cancellationToken"/> before every step. Caller owns the result.
    /// </summary>
    public Tensor Denoise(Tensor conditioning, Tensor? negative, StableDiffusionRequest request, IProgress<StableDiffusionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(request);
        CheckConditioning(conditioning, "conditioning");
        if (negative is not null)
        {
            CheckConditioning(negative, "negative conditioning");
        }

        if (request.Steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Steps, "Steps must be at least 1.");
        }

        var (height, width) = ImageSize(request);
        using var scheduler = SchedulerFactory.Create(request.Scheduler, SchedulerConfig);
        if (scheduler is DdimScheduler ddim)
        {
            ddim.Eta = request.Eta;
        }

        scheduler.SetTimesteps(request.Steps);
        using var scope = TensorScope.Enter();
        var generator = new Generator(request.Seed);
        // torch.randn([1, C, H/f, W/f], generator) · init_noise_sigma, as diffusers' prepare_latents.
        var latents = Ops.Mul(Tensor.Randn([1, Unet.Config.InChannels, height / VaeScaleFactor, width / VaeScaleFactor], generator), scheduler.InitNoiseSigma);
        var guided = negative is not null && request.GuidanceScale > 1.0;
        // [negative; positive] along the batch, so both predictions come from one UNet call.
        var context = guided ? Ops.Cat([negative!, conditioning], dim: 0) : conditioning;
        var timesteps = scheduler.Timesteps;
        for (var i = 0; i < timesteps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t = timesteps[i];
            using (var step = TensorScope.Enter())
            {
                var modelInput = guided ? Ops.Cat([latents, latents], dim: 0) : latents;
                modelInput = scheduler.ScaleModelInput(modelInput, t);
                var prediction = Unet.Forward(modelInput, t, context);
                if (guided)
                {
                    // [2, C, h, w] → ε_u, ε_c; ε = ε_u + g·(ε_c − ε_u)
                    var unconditional = prediction.Narrow(0, 0, 1);
                    var text = prediction.Narrow(0, 1, 1);
                    prediction = Ops.Add(unconditional, Ops.Mul(Ops.Sub(text, unconditional), request.GuidanceScale));
                }

                var previous = latents;
                latents = scheduler.Step(prediction, t, latents, generator).MoveToOuterScope();
                previous.Dispose();
            }

            progress?.Report(new StableDiffusionProgress(i + 1, timesteps.Count, t, "denoise"));
        }

        return latents.MoveToOuterScope();
    }

    /// <summary>Latents [1, 4, h, w] → 8-bit RGB image (divides by the scaling factor, decodes, clamps, rounds).</summary>
    public Image DecodeLatents(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        using var scope = TensorScope.Enter();
        return ToImage(Decode(latents));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unet.Dispose();
        Vae.Dispose();
        TextEncoder?.Dispose();
    }

    private static string ComponentFolder(string folder, string component)
    {
        var path = Path.Combine(folder, component);
        return Directory.Exists(path)
            ? path
            : throw new StableDiffusionModelException(path, null, $"the '{component}' component folder named in model_index.json does not exist.");
    }

    private static string ComponentFile(string folder, string component, string file) => Path.Combine(ComponentFolder(folder, component), file);

    private static Image ToImage(Tensor decoded)
    {
        // [1, 3, H, W] → CHW floats of the single image.
        var chw = decoded.Contiguous().ToFloatArray();
        return ImageTensors.FromVaeOutput(chw, decoded.Shape[1], decoded.Shape[2], decoded.Shape[3]);
    }

    private Tensor Decode(Tensor latents)
    {
        using var scope = TensorScope.Enter();
        var scaled = Ops.Div(latents, Vae.Config.ScalingFactor);
        if (Vae.Config.ShiftFactor is double shift)
        {
            scaled = Ops.Add(scaled, shift);
        }

        return Vae.Decode(scaled).MoveToOuterScope();
    }

    private Tensor? Conditioning(Tensor? embeddings, string? prompt, string what, List<string> warnings)
    {
        if (embeddings is not null && prompt is not null)
        {
            throw new ArgumentException($"Give either the {what} or its embeddings, not both.");
        }

        if (embeddings is not null)
        {
            CheckConditioning(embeddings, what + " embeddings");
            return embeddings.Alias();
        }

        return prompt is null ? null : EncodePromptCore(prompt, warnings);
    }

    private Tensor EncodePromptCore(string prompt, List<string>? warnings)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (TextEncoder is null || Tokenizer is null)
        {
            throw new InvalidOperationException(
                "This pipeline was loaded without its text encoder (LoadTextEncoder = false); pass prompt embeddings and negative prompt embeddings instead of text.");
        }

        var encoding = Tokenizer.EncodeForModel(prompt);
        if (encoding.Truncated)
        {
            warnings?.Add($"The prompt was cut to CLIP's {Tokenizer.MaxLength} tokens: \"{Tokenizer.Decode(encoding.InputIds)}\".");
        }

        return TextEncoder.Encode([encoding.InputIds]);
    }

    private void CheckConditioning(Tensor conditioning, string what)
    {
        var width = Unet.Config.CrossAttentionDim[0];
        if (conditioning.Rank != 3 || conditioning.Shape[0] != 1 || conditioning.Shape[2] != width || conditioning.DType != DType.Float32)
        {
            throw new ArgumentException(
                $"The {what} must be float32 [1, tokens, {width}] (the UNet's cross_attention_dim); got {conditioning.DType.TorchName()} [{string.Join(", ", conditioning.ShapeArray())}].");
        }
    }

    private (int Height, int Width) ImageSize(StableDiffusionRequest request)
    {
        var height = request.Height ?? DefaultImageSize;
        var width = request.Width ?? DefaultImageSize;
        var factor = VaeScaleFactor;
        if (height <= 0 || width <= 0 || height % factor != 0 || width % factor != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"{width}x{height}",
                $"Width and height must be positive multiples of {factor} (the VAE's scale factor); got {width}x{height}.");
        }

        return (height, width);
    }
}
