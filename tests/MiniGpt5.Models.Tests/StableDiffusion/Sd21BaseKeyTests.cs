using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Testing;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Models.Tests.StableDiffusion;

/// <summary>
/// Our full-size modules, built from SD-2.1-base's published configs (tests/data/sd21-base-keys/*/config.json), against
/// the parameter listing of tests/data/sd21-base-keys/*.keys.txt (the PyTorch reference instantiated from the same
/// configs on the meta device; its totals equal the published 865,910,724 / 83,653,863 / 340,387,840 parameters).
/// Every listed key must be exactly one of our parameters, with the same shape, and we must have no others.
/// The modules are our real classes at full size; their weights are allocated through <see cref="ShapeOnlyBackend"/>,
/// which leaves the memory unwritten (zeroing 3.5 GB of fresh pages takes tens of seconds on a busy VM).
/// </summary>
public sealed class Sd21BaseKeyTests
{
    private static string Data(params string[] parts) => Path.Combine([RepoPaths.RepoRoot, "tests", "data", .. parts]);

    [Fact]
    public void Full_size_modules_have_exactly_the_published_keys_and_shapes()
    {
        using var shapesOnly = Backends.Use(ShapeOnlyBackend.Instance);
        using (var unet = new UNet2DConditionModel(UNet2DConditionConfig.Load(Data("sd21-base-keys", "unet", "config.json"))))
        {
            AssertKeys(unet, "unet", 865_910_724);
        }

        using (var vae = new AutoencoderKL(AutoencoderKLConfig.Load(Data("sd21-base-keys", "vae", "config.json"))))
        {
            AssertKeys(vae, "vae", 83_653_863);
        }

        using (var text = new ClipTextModel(ClipTextConfig.Load(Data("sd21-base-keys", "text_encoder", "config.json"))))
        {
            AssertKeys(text, "text_encoder", 340_387_840);
        }
    }

    [Fact]
    public void Sd21_base_configs_read_as_the_model_spec_describes()
    {
        var unet = UNet2DConditionConfig.Load(Data("sd21-base-keys", "unet", "config.json"));
        Assert.Equal([5, 10, 20, 20], unet.AttentionHeads);
        Assert.All(unet.BlockOutChannels.Zip(unet.AttentionHeads), p => Assert.Equal(64, p.First / p.Second));
        Assert.Equal([1024, 1024, 1024, 1024], unet.CrossAttentionDim);
        Assert.True(unet.UseLinearProjection);
        Assert.False(unet.UpcastAttention);
        Assert.Equal(64, unet.SampleSize);
        Assert.Equal(1280, unet.TimeEmbedDim);

        var vae = AutoencoderKLConfig.Load(Data("sd21-base-keys", "vae", "config.json"));
        Assert.Equal(0.18215, vae.ScalingFactor);
        Assert.Equal(8, vae.ScaleFactor);

        var text = ClipTextConfig.Load(Data("sd21-base-keys", "text_encoder", "config.json"));
        Assert.Equal((23, 1024, 16, 4096, "gelu"), (text.NumHiddenLayers, text.HiddenSize, text.NumAttentionHeads, text.IntermediateSize, text.HiddenAct));

        var scheduler = SchedulerConfig.Load(Data("sd21-base-keys", "scheduler", "scheduler_config.json"));
        Assert.Equal(("PNDMScheduler", "scaled_linear", true, 1, false), (scheduler.ClassName, scheduler.BetaSchedule, scheduler.SkipPrkSteps, scheduler.StepsOffset, scheduler.SetAlphaToOne));
    }

    [Fact]
    public void Built_in_presets_equal_the_published_configs()
    {
        Assert.Equal(Describe(UNet2DConditionConfig.Load(Data("sd21-base-keys", "unet", "config.json"))), Describe(UNet2DConditionConfig.StableDiffusion21Base));
        var vae = AutoencoderKLConfig.Load(Data("sd21-base-keys", "vae", "config.json"));
        var preset = AutoencoderKLConfig.StableDiffusion21Base;
        Assert.Equal(vae.BlockOutChannels, preset.BlockOutChannels);
        Assert.Equal(vae with { BlockOutChannels = preset.BlockOutChannels }, preset);
        Assert.Equal(ClipTextConfig.Load(Data("sd21-base-keys", "text_encoder", "config.json")), ClipTextConfig.StableDiffusion21Base);
    }

    [Fact]
    public void The_768_v_unet_config_builds_the_same_network_with_upcast_attention()
    {
        var base21 = UNet2DConditionConfig.Load(Data("sd21-base-keys", "unet", "config.json"));
        var v768 = UNet2DConditionConfig.Load(Data("sd21-base-keys-768-v", "unet", "config.json"));
        Assert.True(v768.UpcastAttention);
        Assert.Equal(96, v768.SampleSize);
        // Everything that shapes parameters is identical, so the key listing above covers it too.
        Assert.Equal(Describe(base21), Describe(v768));
        var scheduler = SchedulerConfig.Load(Data("sd21-base-keys-768-v", "scheduler", "scheduler_config.json"));
        Assert.Equal("v_prediction", scheduler.PredictionType);
    }

    private static string Describe(UNet2DConditionConfig c) => string.Join(";",
        string.Join(",", c.BlockOutChannels), string.Join(",", c.LayersPerBlock), string.Join(",", c.AttentionHeads), string.Join(",", c.CrossAttentionDim),
        string.Join(",", c.DownBlockTypes), string.Join(",", c.UpBlockTypes), c.MidBlockType, c.UseLinearProjection, c.NormNumGroups,
        string.Join(",", c.TransformerLayersPerBlock), c.InChannels, c.OutChannels, c.ConvInKernel, c.ConvOutKernel);

    private static void AssertKeys(Module module, string name, long publishedTotal)
    {
        var published = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Data("sd21-base-keys", name + ".keys.txt")))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            Assert.True(published.TryAdd(parts[0], parts[1]), $"{name}: key '{parts[0]}' is listed twice.");
        }

        var ours = module.NamedParameters().ToList();
        var duplicates = ours.GroupBy(p => p.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{name}: our parameters repeat {string.Join(", ", duplicates)}.");
        var shapes = ours.ToDictionary(p => p.Name, p => string.Join(",", p.Parameter.Value.ShapeArray()), StringComparer.Ordinal);
        var missing = published.Keys.Where(k => !shapes.ContainsKey(k)).ToList();
        var extra = shapes.Keys.Where(k => !published.ContainsKey(k)).ToList();
        var misshapen = published.Where(kv => shapes.TryGetValue(kv.Key, out var s) && s != kv.Value).Select(kv => $"{kv.Key} ours [{shapes[kv.Key]}] published [{kv.Value}]").ToList();
        Assert.True(missing.Count == 0, $"{name}: {missing.Count} published keys have no parameter: {string.Join(", ", missing.Take(10))}");
        Assert.True(extra.Count == 0, $"{name}: {extra.Count} parameters are not published keys: {string.Join(", ", extra.Take(10))}");
        Assert.True(misshapen.Count == 0, $"{name}: {misshapen.Count} shapes differ: {string.Join("; ", misshapen.Take(10))}");
        Assert.Equal(publishedTotal, module.ParameterCount());
        Assert.Empty(module.NamedBuffers());
    }
}
