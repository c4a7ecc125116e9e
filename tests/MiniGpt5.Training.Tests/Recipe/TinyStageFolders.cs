using System.Text.Json.Nodes;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;
using MiniGpt5.Training.Recipe;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>The recipe goldens' tiny MiniGPT-5 parts written as the folders <see cref="MiniGpt5Training"/> starts from.</summary>
internal static class TinyStageFolders
{
    /// <summary>The golden tiny LLaMA as a pre-trained LLM would be: 40 base rows, tokenizer without the MiniGPT-5 tokens.</summary>
    public static async Task<string> WriteBaseLlmAsync(string root)
    {
        var source = RepoPaths.GoldenFile("recipe", "llm");
        var folder = Path.Combine(root, "llm");
        Directory.CreateDirectory(folder);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(source, "config.json")))!.AsObject();
        config["vocab_size"] = 40;
        await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), config.ToJsonString());
        var tokenizer = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(source, "tokenizer.json")))!.AsObject();
        var added = tokenizer["added_tokens"]!.AsArray();
        foreach (var token in added.Where(t => t!["id"]!.GetValue<int>() >= 40).ToList())
        {
            added.Remove(token);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        using var weights = CheckpointSet.Open(Path.Combine(source, "model.safetensors"));
        using var scope = TensorScope.Enter();
        var tensors = weights.Keys.Order(StringComparer.Ordinal).Select(k =>
        {
            var t = weights[k];
            var value = Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
            return (k, k is "model.embed_tokens.weight" or "lm_head.weight" ? value.Narrow(0, 0, 40).Contiguous() : value);
        }).ToList();
        await TensorExport.WriteAsync(Path.Combine(folder, "model.safetensors"), tensors);
        return folder;
    }

    /// <summary>The tiny SD of the training goldens as a full diffusers folder (model_index.json, the SD-2 test tokenizer).</summary>
    public static string WriteTinySd(string root)
    {
        var folder = Path.Combine(root, "sd");
        var source = RepoPaths.GoldenFile("training", "tiny-sd");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var tokenizer = Path.Combine(folder, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "clip-sd2")))
        {
            File.Copy(file, Path.Combine(tokenizer, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(folder, "model_index.json"), """
            {"_class_name": "StableDiffusionPipeline", "scheduler": ["diffusers", "PNDMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}
            """);
        return folder;
    }
}
