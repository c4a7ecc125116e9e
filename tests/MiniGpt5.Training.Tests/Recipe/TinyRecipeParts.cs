using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>The recipe goldens' tiny MiniGPT-5 (LLaMA 2×32, mapper 1+1 layers, 77 queries of width 32) and tiny SD.</summary>
internal sealed class TinyRecipeParts : IDisposable
{
    public static readonly string Root = RepoPaths.GoldenFile("recipe");

    private readonly UNet2DConditionModel _unet = UNet2DConditionModel.FromPretrained(Tiny("unet"));
    private readonly AutoencoderKL _vae = AutoencoderKL.FromPretrained(Tiny("vae"));
    private readonly ClipTextModel _text = ClipTextModel.FromPretrained(Tiny("text_encoder"));

    public TinyRecipeParts()
    {
        var llmFolder = Path.Combine(Root, "llm");
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(Path.Combine(llmFolder, "tokenizer.json"));
        var llm = LlamaForCausalLM.Load(llmFolder, new LlamaLoadOptions { WeightDType = DType.Float32 });
        var config = new VokenMapperConfig { LlmHidden = 32, Width = 32, Heads = 4, EncoderLayers = 1, DecoderLayers = 1, FeedForward = 64, Queries = 77 };
        var mapper = new FeatureMapper(config);
        ModuleFiles.Load(mapper, Path.Combine(Root, "mapper.safetensors"));
        Model = new MiniGpt5Model(
            new MiniGpt5ModelConfig
            {
                Folder = Root, LlmFolder = llmFolder, TokenizerPath = Path.Combine(llmFolder, "tokenizer.json"),
                Stage1Checkpoint = Path.Combine(Root, "mapper.safetensors"), Mapper = config, BosTokenId = 1,
            },
            tokenizer, llm, null, mapper);
        Assert.Equal(Enumerable.Range(40, 8), Model.VokenIds);
        Model.Llm.SetTrainable(false);
        Model.Mapper.SetTrainable(false);
        var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Load(Path.Combine(Tiny("scheduler"), "scheduler_config.json")));
        Ldm = new LatentDiffusionLoss(_unet, _vae, scheduler);
        Captions = new CaptionEncoder(_text, ClipTokenizer.Load(Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "clip-sd2")));
    }

    public MiniGpt5Model Model { get; }

    public LatentDiffusionLoss Ldm { get; }

    public CaptionEncoder Captions { get; }

    public void Dispose()
    {
        Model.Dispose();
        _unet.Dispose();
        _vae.Dispose();
        _text.Dispose();
    }

    /// <summary>The goldens' batch of two samples (stage.safetensors case 0).</summary>
    public static MiniGpt5Batch Batch(CheckpointSet golden)
    {
        var ids = Tensor(golden, "0.ids");
        var labels = Tensor(golden, "0.labels");
        var mask = Tensor(golden, "0.mask");
        var images = Tensor(golden, "0.images");
        string[] captions = ["a red on the left", "the red"];
        var idRows = ids.ToArray<long>();
        var labelRows = labels.ToArray<long>();
        var length = ids.Shape[1];
        var samples = Enumerable.Range(0, 2).Select(b => new TokenizedSample(
            idRows.Skip(b * length).Take(length).Select(i => (int)i).ToArray(),
            labelRows.Skip(b * length).Take(length).Select(i => (int)i).ToArray(),
            new MiniGpt5Example("source", "target", [], null, captions[b], $"golden_{b}"))).ToList();
        return new MiniGpt5Batch(ids.DetachFromScope(), labels.DetachFromScope(), mask.DetachFromScope(), [], images.DetachFromScope(), samples);
    }

    /// <summary>A golden tensor as an owned copy.</summary>
    public static Tensor Tensor(CheckpointSet set, string key)
    {
        var t = set[key];
        using var view = MiniGpt5.Tensors.Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
        return view.Clone();
    }

    private static string Tiny(string component) => RepoPaths.GoldenFile("training", "tiny-sd", component);
}
