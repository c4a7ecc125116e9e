using System.Text.Json.Nodes;
using MiniGpt5.Imaging;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Models.Tests.Interleaved;

/// <summary>
/// A whole tiny MiniGPT-5 against tools/reference/minigpt5_goldens.py (turn_goldens): a folder in the released layout
/// (fp16 "Vicuna" with 901 rows and tokenizer.model, the three image-path files, Lightning stage-1/stage-2
/// checkpoints with the exact key layout of MODEL_SPEC §2), the playground prompt with two images, MiniGPT-5's
/// sampling with a seed. The same seed draws the same 17 ids ([IMG0] at index 13, then text and "▁###"); the voken
/// features and both conditionings agree to 1e-4 (float32 through ~30 layers of tiny random weights).
/// </summary>
public sealed class MiniGpt5ModelTests : IDisposable
{
    private static readonly Lazy<MiniGpt5Model> Model = new(() => MiniGpt5Model.Load(Goldens.Path("turn", "model")));
    private static readonly Lazy<JsonObject> Meta = new(() => Goldens.Json("turn", "expected.json"));
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "minigpt5-model-" + Guid.NewGuid().ToString("N"));

    public MiniGpt5ModelTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void The_tokenizer_splits_the_playground_prompt_as_transformers_431_does()
    {
        var ids = Model.Value.Tokenizer.Encode(Meta.Value["prompt"]!.GetValue<string>());
        Assert.Equal(Goldens.Ints(Meta.Value["prompt_ids"]), ids);
        Assert.Equal(909, Model.Value.Llm.Config.VocabSize);
        Assert.Equal(Enumerable.Range(900, 8), Model.Value.VokenIds);
        Assert.Equal(908, Model.Value.ImagePlaceholderId);
        Assert.Equal([[287]], Model.Value.StopSequences);
    }

    [Fact]
    public void A_seeded_turn_draws_the_reference_ids_and_maps_the_same_vokens()
    {
        var expected = Goldens.Tensors("turn", "expected.safetensors");
        var images = LoadImages();
        var streamed = new List<int>();
        using var result = Model.Value.Generate(Meta.Value["prompt"]!.GetValue<string>(), images, new MiniGpt5GenerationOptions
        {
            Seed = Meta.Value["seed"]!.GetValue<ulong>(),
            MaxNewTokens = Meta.Value["max_new_tokens"]!.GetValue<int>(),
        }, streamed.Add);

        Assert.Equal(Goldens.Ints(Meta.Value["sequence"]), result.Sequence);
        Assert.Equal(result.Sequence.Skip(1), streamed);
        Assert.Equal(StopReason.StopSequence, result.StopReason);
        Assert.Equal(Meta.Value["prompt_length"]!.GetValue<int>(), result.Timings.PromptLength);
        Assert.True(result.HasImage);
        Assert.StartsWith("<unk>", result.RawText, StringComparison.Ordinal);
        Assert.Contains("[IMG0]", result.RawText, StringComparison.Ordinal);
        Assert.DoesNotContain("[IMG0]", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("###", result.Text, StringComparison.Ordinal);
        Goldens.Close(expected["features"].Values, result.VokenFeatures!.ToFloatArray(), 1e-4, 1e-4, "voken features");

        var (conditioning, negative) = Model.Value.MapVokens(result.VokenFeatures!);
        using (conditioning)
        using (negative)
        {
            Assert.Equal([1, 77, 32], conditioning.ShapeArray());
            Goldens.Close(expected["conditioning"].Values, conditioning.ToFloatArray(), 1e-4, 1e-4, "conditioning");
            Goldens.Close(expected["negative"].Values, negative.ToFloatArray(), 1e-5, 1e-4, "negative conditioning");
        }
    }

    [Fact]
    public void Input_warp_puts_bos_first_and_replaces_each_placeholder_with_its_image()
    {
        var model = Model.Value;
        int[] ids = [10, 11, model.ImagePlaceholderId, 12, model.ImagePlaceholderId];
        using var scope = TensorScope.Enter();
        var images = Tensor.Randn([2, 4, 32], new Generator(3));
        var embeds = model.BuildInputEmbeddings(ids, images, 2);
        Assert.Equal([1, 1 + 2 + 4 + 1 + 4, 32], embeds.ShapeArray());
        var table = model.Llm.Model.EmbedTokens.Weight.Value;
        Assert.Equal(table.Select(0, 2).ToFloatArray(), embeds.Select(0, 0).Select(0, 0).ToFloatArray());   // release-era BOS = 2
        Assert.Equal(table.Select(0, 11).ToFloatArray(), embeds.Select(0, 0).Select(0, 2).ToFloatArray());
        Assert.Equal(images.Select(0, 0).ToFloatArray(), embeds.Select(0, 0).Narrow(0, 3, 4).Contiguous().ToFloatArray());
        Assert.Equal(table.Select(0, 12).ToFloatArray(), embeds.Select(0, 0).Select(0, 7).ToFloatArray());
        Assert.Equal(images.Select(0, 1).ToFloatArray(), embeds.Select(0, 0).Narrow(0, 8, 4).Contiguous().ToFloatArray());

        var error = Assert.Throws<ArgumentException>(() => model.BuildInputEmbeddings(ids, images, 1));
        Assert.Contains("2 <ImageHere> slot(s) but 1 image(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_head_era_bos_is_an_explicit_option()
    {
        var folder = WriteConfig(json => json["bos_token_id"] = 1);
        using var model = MiniGpt5Model.Load(folder);
        Assert.Equal(1, model.Config.BosTokenId);
        using var scope = TensorScope.Enter();
        var embeds = model.BuildInputEmbeddings([10], null, 0);
        Assert.Equal(model.Llm.Model.EmbedTokens.Weight.Value.Select(0, 1).ToFloatArray(), embeds.Select(0, 0).Select(0, 0).ToFloatArray());
        Assert.Equal(MiniGpt5ModelConfig.ReleaseEraBosTokenId, Model.Value.Config.BosTokenId);
    }

    [Fact]
    public void Stage_one_alone_loads_its_own_embeddings_and_transformer()
    {
        var folder = WriteConfig(json => json.Remove("stage2"));
        using var model = MiniGpt5Model.Load(folder);
        using var stage1 = CheckpointSet.Open(Goldens.Path("turn", "model", "stage1_cc3m.ckpt"));
        Assert.Equal(stage1["model.llama_model.lm_head.weight"].ToArray<float>(), model.Llm.LmHead!.Weight.Value.ToFloatArray());
        Assert.Equal(stage1["llm_to_t2i_mapping.decoder.norm.bias"].ToArray<float>(), model.Mapper.Transformer.Decoder.Norm.Bias!.Value.ToFloatArray());
        // Stage 2 overrides both (and keeps stage 1's fc and queries).
        using var stage2 = CheckpointSet.Open(Goldens.Path("turn", "model", "stage2_vist.ckpt"));
        Assert.Equal(stage2["model.llama_model.base_model.model.lm_head.modules_to_save.default.weight"].ToArray<float>(), Model.Value.Llm.LmHead!.Weight.Value.ToFloatArray());
        Assert.Equal(stage2["llm_to_t2i_mapping.decoder.norm.bias"].ToArray<float>(), Model.Value.Mapper.Transformer.Decoder.Norm.Bias!.Value.ToFloatArray());
        Assert.Equal(stage1["t2i_decoder_prompt"].ToArray<float>(), Model.Value.Mapper.DecoderPrompt.Value.ToFloatArray());
        Assert.Equal(stage1["fc.2.bias"].ToArray<float>(), Model.Value.Mapper.Fc.Out.Bias!.Value.ToFloatArray());
    }

    [Fact]
    public void A_stage_two_checkpoint_without_stage_one_is_refused()
    {
        var error = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json.Remove("stage1"))));
        Assert.Contains("stage-2 checkpoint without \"stage1\"", error.Message, StringComparison.Ordinal);

        var swapped = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["stage1"] = Goldens.Path("turn", "model", "stage2_vist.ckpt"))));
        Assert.Contains("is a stage-2 checkpoint", swapped.Message, StringComparison.Ordinal);

        var noLora = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["stage2"] = Goldens.Path("turn", "model", "stage1_cc3m.ckpt"))));
        Assert.Contains("holds no LoRA adapters", noLora.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokenizer_of_another_size_is_refused_naming_both_sizes()
    {
        var error = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json =>
            json["tokenizer"] = Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "spm_bpe_nfkc_unk.model"))));
        Assert.Contains("909 rows", error.Message, StringComparison.Ordinal);
        Assert.Contains("509 ids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_and_bad_settings_name_the_field()
    {
        var missing = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["vision"]!["eva_vit"] = "nowhere/eva.pth")));
        Assert.Contains("\"vision.eva_vit\" names 'nowhere/eva.pth'", missing.Message, StringComparison.Ordinal);

        var format = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["format"] = "other")));
        Assert.Contains("\"format\" must be \"minigpt5\"", format.Message, StringComparison.Ordinal);

        var version = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["version"] = 7)));
        Assert.Contains("\"version\" 7 is not supported", version.Message, StringComparison.Ordinal);

        var dtype = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(WriteConfig(json => json["llm_dtype"] = "int4")));
        Assert.Contains("\"int4\"", dtype.Message, StringComparison.Ordinal);

        var none = Assert.Throws<MiniGpt5ModelException>(() => MiniGpt5Model.Load(_temp));
        Assert.Contains("minigpt5.json", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_one_checkpoint_with_a_missing_key_fails_naming_it()
    {
        using var stage1 = CheckpointSet.Open(Goldens.Path("turn", "model", "stage1_cc3m.ckpt"));
        Assert.Equal(
            ["model.llama_model.model.embed_tokens.weight", "model.llama_model.lm_head.weight", "fc.0.weight"],
            stage1.Keys.Where(k => k is "model.llama_model.model.embed_tokens.weight" or "model.llama_model.lm_head.weight" or "fc.0.weight").ToArray());
        const string Dropped = "llm_to_t2i_mapping.decoder.layers.1.norm3.bias";
        var broken = RenamedCheckpointDictionary.Renamed(stage1, k => k == Dropped ? null : k);
        using var mapper = new FeatureMapper(Model.Value.Mapper.Config);
        var error = Assert.Throws<CheckpointKeyMismatchException>(() => mapper.LoadStage1(broken));
        Assert.Equal([Dropped], error.Report.Missing);
        Assert.Contains(Dropped, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_only_prompts_need_no_images_and_images_need_an_encoder()
    {
        using var result = Model.Value.Generate("###Human: hello ###Assistant:", [], new MiniGpt5GenerationOptions { Seed = 5, MaxNewTokens = 6 });
        Assert.Equal(0, result.Sequence[0]);
        Assert.InRange(result.GeneratedTokens.Count, 1, 6);

        var folder = WriteConfig(json => json.Remove("vision"));
        using var textOnly = MiniGpt5Model.Load(folder);
        Assert.Null(textOnly.ImageEncoder);
        var error = Assert.Throws<InvalidOperationException>(() => textOnly.Generate(Meta.Value["prompt"]!.GetValue<string>(), LoadImages()));
        Assert.Contains("no image encoder", error.Message, StringComparison.Ordinal);
    }

    private static List<Image> LoadImages() =>
        Meta.Value["images"]!.AsArray().Select(n => ImageCodec.LoadAsync(Goldens.Path("turn", n!.GetValue<string>())).GetAwaiter().GetResult()).ToList();

    /// <summary>A copy of the tiny model's minigpt5.json in a temp folder (absolute paths), edited by <paramref name="edit"/>.</summary>
    private string WriteConfig(Action<JsonObject> edit)
    {
        var source = Goldens.Path("turn", "model");
        var json = Goldens.Json("turn", "model", "minigpt5.json");
        foreach (var key in new[] { "llm", "stage1", "stage2", "stable_diffusion" })
        {
            json[key] = Path.GetFullPath(Path.Combine(source, json[key]!.GetValue<string>()));
        }

        foreach (var key in new[] { "eva_vit", "qformer", "projection" })
        {
            json["vision"]![key] = Path.GetFullPath(Path.Combine(source, json["vision"]![key]!.GetValue<string>()));
        }

        edit(json);
        var folder = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, MiniGpt5ModelConfig.FileName), json.ToJsonString());
        return folder;
    }
}
