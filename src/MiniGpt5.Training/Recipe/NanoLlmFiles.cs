using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Models.Llama;

namespace MiniGpt5.Training.Recipe;

/// <summary>The nano LLM's Hugging Face folder: config.json, model.safetensors, tokenizer.json.</summary>
public static class NanoLlmFiles
{
    /// <summary>config.json.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The tokenizer.</summary>
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>The HF config.json of <paramref name="config"/> (LLaMA architecture, float16 weights on disk).</summary>
    public static JsonObject ConfigJson(LlamaConfig config, int bosId, int eosId)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ToJson(bosId, eosId, "float16");
    }

    /// <summary>Writes <paramref name="json"/> indented, atomically.</summary>
    public static async Task WriteJsonAsync(string path, JsonNode json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(json);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
