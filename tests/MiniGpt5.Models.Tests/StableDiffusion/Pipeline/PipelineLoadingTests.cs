using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Models.Tests.StableDiffusion.Pipeline;

/// <summary>
/// Loading a diffusers folder: what each broken folder says (which file, field or key), the dtype and variant options,
/// and the pipeline without its text encoder. Each test works on its own copy of the tiny folder.
/// </summary>
public sealed class PipelineLoadingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-sd-" + Guid.NewGuid().ToString("N"));

    public PipelineLoadingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_missing_folder_or_model_index_is_named()
    {
        var missing = Path.Combine(_root, "nowhere");
        var error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);

        var folder = CopyTinyModel();
        File.Delete(Path.Combine(folder, "model_index.json"));
        error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Contains("model_index.json is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_component_missing_from_the_index_or_the_folder_is_named()
    {
        var folder = CopyTinyModel();
        var index = Path.Combine(folder, "model_index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"vae\"", "\"vae_old\"", StringComparison.Ordinal));
        var error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Equal("vae", error.Field);

        folder = CopyTinyModel();
        Directory.Delete(Path.Combine(folder, "vae"), recursive: true);
        error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Equal(Path.Combine(folder, "vae"), error.Path);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_or_unsupported_config_field_is_named_with_its_file()
    {
        var folder = CopyTinyModel();
        var config = Path.Combine(folder, "unet", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_class_embeds\": null", "\"num_class_embeds\": 10", StringComparison.Ordinal));
        var error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Equal(config, error.Path);
        Assert.Equal("num_class_embeds", error.Field);

        File.WriteAllText(config, File.ReadAllText(Path.Combine(SdGoldens.TinyModel, "unet", "config.json"))
            .Replace("\"layers_per_block\": 2", "\"layers_per_block\": \"two\"", StringComparison.Ordinal));
        error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Equal("layers_per_block", error.Field);
        Assert.Contains("\"two\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weight_file_with_a_missing_key_lists_it()
    {
        var folder = CopyTinyModel();
        var weights = Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors");
        RewriteWeights(weights, entries => entries.Where(e => e.Name != "mid_block.attentions.0.proj_in.weight"));
        var error = Assert.Throws<CheckpointKeyMismatchException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Contains("mid_block.attentions.0.proj_in.weight", error.Message, StringComparison.Ordinal);
        Assert.Equal(["mid_block.attentions.0.proj_in.weight"], error.Report.Missing);
    }

    [Fact]
    public async Task Components_that_do_not_fit_together_are_named()
    {
        var folder = CopyTinyModel();
        var config = Path.Combine(folder, "text_encoder", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_size\": 32", "\"hidden_size\": 64", StringComparison.Ordinal));
        // The old weights no longer fit the config: the strict load says so first.
        Assert.Throws<CheckpointKeyMismatchException>(() => StableDiffusionPipeline.Load(folder));

        // With weights that fit, the width still does not match the UNet's cross-attention.
        using (var wider = new ClipTextModel(ClipTextConfig.Load(config)))
        {
            wider.InitializeWeights(new Generator(1));
            await ModuleFiles.SaveAsync(wider, Path.Combine(folder, "text_encoder", "model.safetensors"), overwrite: true);
        }

        var error = Assert.Throws<StableDiffusionModelException>(() => StableDiffusionPipeline.Load(folder));
        Assert.Equal(("hidden_size", config), (error.Field, error.Path));
        Assert.Contains("cross_attention_dim 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_text_encoder_prompts_are_refused_and_embeddings_work()
    {
        using var pipeline = StableDiffusionPipeline.Load(SdGoldens.TinyModel, new StableDiffusionLoadOptions { LoadTextEncoder = false });
        Assert.Null(pipeline.TextEncoder);
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Generate(new StableDiffusionRequest { Prompt = "a fox", Steps = 1, Width = 16, Height = 16 }));
        Assert.Contains("prompt embeddings", error.Message, StringComparison.Ordinal);

        using var cond = SdGoldens.Load("sampling.safetensors", "cond");
        using var neg = SdGoldens.Load("sampling.safetensors", "neg");
        // The default negative is CLIP(""), which needs the text encoder too.
        Assert.Throws<InvalidOperationException>(() => pipeline.Generate(new StableDiffusionRequest { PromptEmbeddings = cond, Steps = 1, Width = 16, Height = 16 }));
        using var result = pipeline.Generate(new StableDiffusionRequest
        {
            PromptEmbeddings = cond,
            NegativePromptEmbeddings = neg,
            Steps = 5,
            Seed = 42,
            Width = 32,
            Height = 32,
            Scheduler = "pndm",
        });
        SdGoldens.AssertCloseRelative(SdGoldens.Load("sampling.safetensors", "pndm.latents"), result.Latents, 2e-4, "latents");
    }

    [Fact]
    public void Bfloat16_weights_keep_float32_activations_and_stay_close()
    {
        using var pipeline = StableDiffusionPipeline.Load(SdGoldens.TinyModel, new StableDiffusionLoadOptions { WeightDType = DType.BFloat16 });
        var dtypes = pipeline.Unet.NamedParameters().GroupBy(p => p.Parameter.Value.Rank >= 2).ToDictionary(g => g.Key, g => g.Select(p => p.Parameter.Value.DType).Distinct().Single());
        Assert.Equal(DType.BFloat16, dtypes[true]);
        Assert.Equal(DType.Float32, dtypes[false]);
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context");
        var output = pipeline.Unet.Forward(sample, 981, context);
        Assert.Equal(DType.Float32, output.DType);
        // bf16 keeps 8 bits of mantissa: the prediction moves by about 1% of its scale.
        var error = SdGoldens.RelativeError(SdGoldens.Load("models.safetensors", "unet.out"), output);
        Assert.InRange(error, 1e-5, 5e-2);
    }

    [Fact]
    public async Task An_fp16_variant_file_is_read_when_asked_for()
    {
        var folder = CopyTinyModel();
        var unet = Path.Combine(folder, "unet");
        using (var set = CheckpointSet.Open(Path.Combine(unet, "diffusion_pytorch_model.safetensors")))
        {
            await SafetensorsWriter.WriteFileAsync(Path.Combine(unet, "diffusion_pytorch_model.fp16.safetensors"),
                set.Values.Select(t => SafetensorsWriteEntry.FromTensor(t, DType.Float16)).ToList());
        }

        // Without the variant the float32 file is used; with it the half-precision one (converted to float32).
        using var scope = TensorScope.Enter();
        var sample = SdGoldens.Load("models.safetensors", "unet.sample");
        var context = SdGoldens.Load("models.safetensors", "unet.context");
        var expected = SdGoldens.Load("models.safetensors", "unet.out");
        using (var plain = UNet2DConditionModel.FromPretrained(unet))
        {
            SdGoldens.AssertCloseRelative(expected, plain.Forward(sample, 981, context), 1e-4, "float32 file");
        }

        using var half = UNet2DConditionModel.FromPretrained(unet, variant: "fp16");
        Assert.All(half.NamedParameters(), p => Assert.Equal(DType.Float32, p.Parameter.Value.DType));
        var error = SdGoldens.RelativeError(expected, half.Forward(sample, 981, context));
        Assert.InRange(error, 1e-6, 1e-2);
    }

    private string CopyTinyModel()
    {
        var target = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(SdGoldens.TinyModel, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(SdGoldens.TinyModel, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    private static void RewriteWeights(string path, Func<IEnumerable<CheckpointTensor>, IEnumerable<CheckpointTensor>> change)
    {
        var temporary = path + ".new";
        using (var set = CheckpointSet.Open(path))
        {
            SafetensorsWriter.WriteFileAsync(temporary, change(set.Values).Select(t => SafetensorsWriteEntry.FromTensor(t)).ToList()).GetAwaiter().GetResult();
        }

        File.Move(temporary, path, overwrite: true);
    }
}
