using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.Tests.Interleaved;
using MiniGpt5.Models.Vision;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Tests.Vision;

/// <summary>
/// EVA ViT + ln_vision + Q-Former + llama_proj against tools/reference/minigpt5_goldens.py (eva_vit.py and
/// Qformer.py semantics) on a tiny config with the real key names and 224-px input (257 tokens): ViT 48 wide, 2
/// blocks, 4 heads; Q-Former 32 wide, 2 layers, 4 queries, cross-attention in layer 0; projection to 32. The inputs
/// are torch.randn with the same seed (our generator reproduces it). Float32 throughout; tolerance 1e-4 absolute +
/// 1e-4 relative (post-LN with eps 1e-12 amplifies summation-order noise slightly).
/// </summary>
public sealed class ImageEncoderGoldenTests
{
    private static readonly Lazy<Dictionary<string, (float[] Values, int[] Shape)>> Expected = new(() => Goldens.Tensors("vision", "expected.safetensors"));

    internal static ImageEncoderConfig TinyConfig { get; } = new()
    {
        Vit = new EvaVitConfig { ImageSize = 224, PatchSize = 14, Width = 48, Depth = 2, Heads = 4, MlpHidden = 96 },
        QFormer = new QFormerConfig { Hidden = 32, Layers = 2, Heads = 4, Intermediate = 64, QueryTokens = 4, EncoderWidth = 48 },
        LlmHidden = 32,
    };

    [Fact]
    public void The_published_files_load_and_every_stage_matches_pytorch()
    {
        using var encoder = new ImageEncoder(TinyConfig);
        encoder.LoadPretrained(Goldens.Path("vision", "eva_vit_g.pth"), Goldens.Path("vision", "blip2_pretrained_flant5xxl.pth"),
            Goldens.Path("vision", "prerained_minigpt4_7b.pth"));
        using var scope = TensorScope.Enter();
        var images = Tensor.Randn([2, 3, 224, 224], new Generator(77));
        var vit = encoder.VisualEncoder.Forward(images);
        Assert.Equal([2, 257, 48], vit.ShapeArray());
        // The golden keeps the first 40 tokens of image 1 for the intermediate stages.
        Goldens.Close(Expected.Value["vit"].Values, vit.Select(0, 1).Narrow(0, 0, 40).Contiguous().ToFloatArray(), 1e-4, 1e-4, "EVA tokens");
        var normed = encoder.LnVision.Forward(vit);
        Goldens.Close(Expected.Value["ln_vision"].Values, normed.Select(0, 1).Narrow(0, 0, 40).Contiguous().ToFloatArray(), 1e-4, 1e-4, "ln_vision");
        var embeds = encoder.Forward(images);
        Assert.Equal([2, 4, 32], embeds.ShapeArray());
        Goldens.Close(Expected.Value["embeds"].Values, embeds.ToFloatArray(), 1e-4, 1e-4, "image embeddings");
    }

    [Fact]
    public void Half_precision_vit_weights_give_the_same_embeddings_within_fp16_rounding()
    {
        using var encoder = new ImageEncoder(TinyConfig, vitDType: DType.Float16);
        encoder.LoadPretrained(Goldens.Path("vision", "eva_vit_g.pth"), Goldens.Path("vision", "blip2_pretrained_flant5xxl.pth"),
            Goldens.Path("vision", "prerained_minigpt4_7b.pth"));
        Assert.Equal(DType.Float16, encoder.VisualEncoder.Blocks[0].Mlp.Fc1.Weight.Value.DType);
        using var scope = TensorScope.Enter();
        var embeds = encoder.Forward(Tensor.Randn([2, 3, 224, 224], new Generator(77)));
        // fp16 weights (11 significant bits) through two blocks: a few 1e-3 of the O(1) outputs.
        Goldens.Close(Expected.Value["embeds"].Values, embeds.ToFloatArray(), 2e-2, 2e-2, "fp16 ViT embeddings");
    }

    [Fact]
    public void A_missing_qformer_key_fails_naming_it_and_the_text_path_is_ignored()
    {
        using var blip = CheckpointSet.Open(Goldens.Path("vision", "blip2_pretrained_flant5xxl.pth"));
        using var eva = CheckpointSet.Open(Goldens.Path("vision", "eva_vit_g.pth"));
        using var proj = CheckpointSet.Open(Goldens.Path("vision", "prerained_minigpt4_7b.pth"));
        Assert.Contains("Qformer.bert.encoder.layer.0.intermediate.dense.weight", blip.Keys);
        const string Dropped = "Qformer.bert.encoder.layer.1.output_query.dense.bias";
        var broken = RenamedCheckpointDictionary.Renamed(blip, k => k == Dropped ? null : k);
        using var encoder = new ImageEncoder(TinyConfig);
        var error = Assert.Throws<CheckpointKeyMismatchException>(() => encoder.LoadPretrained(eva, broken, proj));
        Assert.Equal([Dropped], error.Report.Missing);
        Assert.Empty(error.Report.Unexpected);
    }

    [Fact]
    public void An_eva_file_of_the_wrong_width_is_reported_by_shape()
    {
        using var eva = CheckpointSet.Open(Goldens.Path("vision", "eva_vit_g.pth"));
        var config = TinyConfig with { Vit = TinyConfig.Vit with { Width = 64, Heads = 4 }, QFormer = TinyConfig.QFormer with { EncoderWidth = 64 } };
        using var encoder = new ImageEncoder(config);
        var error = Assert.Throws<CheckpointKeyMismatchException>(() => encoder.VisualEncoder.Load(eva, options: new LoadOptions
        {
            KeyMatch = new KeyMatchOptions { IgnoredPrefixes = encoder.VisualEncoder.IgnoredPrefixes() },
        }));
        Assert.Contains(error.Report.ShapeMismatches, m => m.Name == "pos_embed");
    }

    [Fact]
    public void Wrong_image_sizes_are_refused_with_the_expected_shape()
    {
        using var encoder = new ImageEncoder(TinyConfig);
        using var scope = TensorScope.Enter();
        var error = Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.Zeros([1, 3, 112, 112])));
        Assert.Contains("[B, 3, 224, 224]", error.Message, StringComparison.Ordinal);
    }
}
