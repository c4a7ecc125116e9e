using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Text.Clip;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// The three trainable components of MiniGPT-5-nano's latent-diffusion model with their tokenizer, in float32 for
/// training, and their diffusers folder (float16 weights; our loader casts them back to float32).
/// </summary>
public sealed class NanoSdModel : IDisposable
{
    private NanoSdModel(NanoSdArchitecture architecture, ClipTokenizer tokenizer, string tokenizerFolder, AutoencoderKL vae, UNet2DConditionModel unet, ClipTextModel text)
    {
        Architecture = architecture;
        Tokenizer = tokenizer;
        TokenizerFolder = tokenizerFolder;
        Vae = vae;
        Unet = unet;
        TextEncoder = text;
    }

    /// <summary>The sizes.</summary>
    public NanoSdArchitecture Architecture { get; }

    /// <summary>The nano CLIP tokenizer (pads to <see cref="NanoSdArchitecture.TextLength"/>).</summary>
    public ClipTokenizer Tokenizer { get; }

    /// <summary>Where the tokenizer files are (copied into exported folders).</summary>
    public string TokenizerFolder { get; }

    /// <summary>The KL autoencoder.</summary>
    public AutoencoderKL Vae { get; }

    /// <summary>Latents are multiplied by this before diffusion (SD's 0.18215): 1/std of the trained VAE's latents,
    /// measured after VAE training and written to vae/config.json. <see cref="Vae"/>'s own config keeps 1.</summary>
    public double ScalingFactor { get; set; } = 1.0;

    /// <summary>The denoiser.</summary>
    public UNet2DConditionModel Unet { get; }

    /// <summary>The text encoder.</summary>
    public ClipTextModel TextEncoder { get; }

    /// <summary>
    /// Fresh components with PyTorch's default initialisation from <paramref name="seed"/> (VAE, then UNet, then text
    /// encoder, each from its own generator), and the nano tokenizer written to <paramref name="tokenizerFolder"/>.
    /// </summary>
    public static async Task<NanoSdModel> CreateAsync(NanoSdArchitecture architecture, ulong seed, string tokenizerFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        await NanoClipTokenizerBuilder.WriteAsync(tokenizerFolder, architecture.TextLength, cancellationToken).ConfigureAwait(false);
        var tokenizer = ClipTokenizer.Load(tokenizerFolder);
        var vae = new AutoencoderKL(architecture.Vae(1.0));
        var unet = new UNet2DConditionModel(architecture.Unet());
        var text = new ClipTextModel(architecture.Text(tokenizer.VocabularySize));
        vae.InitializeWeights(new Generator(seed));
        unet.InitializeWeights(new Generator(seed + 1));
        text.InitializeWeights(new Generator(seed + 2));
        return new NanoSdModel(architecture, tokenizer, tokenizerFolder, vae, unet, text);
    }

    /// <summary>
    /// Writes the diffusers folder: model_index.json, scheduler/, tokenizer/, text_encoder/, vae/, unet/ (configs and
    /// float16 safetensors). Replaces files already there.
    /// </summary>
    public async Task SaveAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        await NanoSdArchitecture.WriteJsonAsync(Path.Combine(folder, "model_index.json"), NanoSdArchitecture.ModelIndex(), cancellationToken).ConfigureAwait(false);
        await NanoSdArchitecture.WriteJsonAsync(Path.Combine(folder, "scheduler", "scheduler_config.json"), NanoSdArchitecture.SchedulerConfigJson(), cancellationToken).ConfigureAwait(false);
        await NanoSdArchitecture.WriteJsonAsync(Path.Combine(folder, "vae", "config.json"), Architecture.VaeConfig(ScalingFactor), cancellationToken).ConfigureAwait(false);
        await NanoSdArchitecture.WriteJsonAsync(Path.Combine(folder, "unet", "config.json"), Architecture.UnetConfig(), cancellationToken).ConfigureAwait(false);
        await NanoSdArchitecture.WriteJsonAsync(Path.Combine(folder, "text_encoder", "config.json"), Architecture.TextConfig(Tokenizer.VocabularySize), cancellationToken).ConfigureAwait(false);
        var tokenizerOut = Path.Combine(folder, "tokenizer");
        Directory.CreateDirectory(tokenizerOut);
        if (!string.Equals(Path.GetFullPath(tokenizerOut), Path.GetFullPath(TokenizerFolder), StringComparison.Ordinal))
        {
            foreach (var file in Directory.GetFiles(TokenizerFolder))
            {
                File.Copy(file, Path.Combine(tokenizerOut, Path.GetFileName(file)), overwrite: true);
            }
        }

        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        await SaveHalfAsync(Vae, Path.Combine(folder, "vae", "diffusion_pytorch_model.safetensors"), metadata, cancellationToken).ConfigureAwait(false);
        await SaveHalfAsync(Unet, Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), metadata, cancellationToken).ConfigureAwait(false);
        await SaveHalfAsync(TextEncoder, Path.Combine(folder, "text_encoder", "model.safetensors"), metadata, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Vae.Dispose();
        Unet.Dispose();
        TextEncoder.Dispose();
    }

    private static async Task SaveHalfAsync(Module module, string path, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var halves = new List<Tensor>();
        try
        {
            var entries = new List<SafetensorsWriteEntry>();
            foreach (var (name, parameter) in module.StateDict())
            {
                var half = parameter.Value.To(DType.Float16).Contiguous().DetachFromScope();
                halves.Add(half);
                entries.Add(SafetensorsWriteEntry.FromTensor(name, half));
            }

            await SafetensorsWriter.WriteFileAsync(path, entries, metadata, overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var tensor in halves)
            {
                tensor.Dispose();
            }
        }
    }
}
