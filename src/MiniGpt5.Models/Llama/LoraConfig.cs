using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// A peft LoRA configuration (adapter_config.json): rank, alpha and the projections it adapts. The projection names
/// are LLaMA's: q_proj, k_proj, v_proj, o_proj (attention) and gate_proj, up_proj, down_proj (MLP).
/// </summary>
public sealed record LoraConfig
{
    /// <summary>MiniGPT-5 stage 2 (model.py): r 8, alpha 16, dropout 0.05 on q_proj and v_proj.</summary>
    public static LoraConfig MiniGpt5 { get; } = new() { Rank = 8, Alpha = 16, Dropout = 0.05, TargetModules = ["q_proj", "v_proj"] };

    /// <summary>The projections LLaMA has, in the order layers hold them.</summary>
    public static IReadOnlyList<string> KnownTargets { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>r.</summary>
    public required int Rank { get; init; }

    /// <summary>lora_alpha.</summary>
    public required double Alpha { get; init; }

    /// <summary>lora_dropout (training only; inference ignores it).</summary>
    public double Dropout { get; init; }

    /// <summary>target_modules.</summary>
    public required IReadOnlyList<string> TargetModules { get; init; }

    /// <summary>peft's adapter name in the keys ("default").</summary>
    public string AdapterName { get; init; } = "default";

    /// <summary>alpha / r, the factor on B·A.</summary>
    public double Scale => Alpha / Rank;

    /// <summary>Reads a peft adapter_config.json (a file or the adapter folder).</summary>
    public static LoraConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = Directory.Exists(path) ? Path.Combine(path, "adapter_config.json") : path;
        if (!File.Exists(file))
        {
            throw new LlamaConfigException(file, "adapter_config.json is missing.");
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new LlamaConfigException(file, "must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new LlamaConfigException(file, $"is not valid JSON ({e.Message}).", e);
        }

        var type = json["peft_type"]?.GetValue<string>();
        if (type is not null && type != "LORA")
        {
            throw new LlamaConfigException(file, $"peft_type is '{type}'; only LORA adapters are supported.");
        }

        var targets = json["target_modules"] switch
        {
            JsonArray array => array.Select(n => n!.GetValue<string>()).ToArray(),
            JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
            _ => throw new LlamaConfigException(file, "target_modules must be a list of projection names."),
        };
        var config = new LoraConfig
        {
            Rank = json["r"]?.GetValue<int>() ?? throw new LlamaConfigException(file, "'r' is missing."),
            Alpha = json["lora_alpha"]?.GetValue<double>() ?? throw new LlamaConfigException(file, "'lora_alpha' is missing."),
            Dropout = json["lora_dropout"]?.GetValue<double>() ?? 0,
            TargetModules = targets,
        };
        config.Validate(file);
        return config;
    }

    /// <summary>Checks the rank and the target names.</summary>
    public void Validate(string source = "LoRA config")
    {
        if (Rank <= 0)
        {
            throw new LlamaConfigException(source, $"r must be positive, got {Rank}.");
        }

        if (TargetModules.Count == 0)
        {
            throw new LlamaConfigException(source, "target_modules is empty.");
        }

        foreach (var target in TargetModules)
        {
            if (!KnownTargets.Contains(target))
            {
                throw new LlamaConfigException(source, $"target module '{target}' is not a LLaMA projection ({string.Join(", ", KnownTargets)}).");
            }
        }
    }
}
