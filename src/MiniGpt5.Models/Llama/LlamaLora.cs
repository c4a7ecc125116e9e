using System.Text.RegularExpressions;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// Every LoRA adapter of a LLaMA decoder, laid out under peft's key names relative to the causal-LM module:
/// <c>model.layers.N.self_attn.q_proj.lora_A.default.weight</c> and so on. A peft checkpoint prefixes these with
/// <c>base_model.model.</c> (MiniGPT-5's stage-2 ckpt with <c>model.llama_model.base_model.model.</c>): load with
/// that prefix, then <see cref="LlamaForCausalLM.ApplyLora"/> merges the adapters or attaches them.
/// </summary>
public sealed partial class LlamaLora : Module
{
    private static readonly string[] UnnamedAdapterSuffixes = [".lora_A.weight", ".lora_B.weight"];
    private static readonly string[] AdapterFiles = ["adapter_model.safetensors", "adapter_model.bin"];

    /// <summary>Adapters for <paramref name="config"/>'s target projections in every layer of <paramref name="model"/>.</summary>
    public LlamaLora(LlamaConfig model, LoraConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var root = Child("model", new Container());
        var layers = root.Add("layers", new ModuleList<Container>());
        int d = model.HiddenSize, q = model.NumHeads * model.HeadDim, kv = model.NumKeyValueHeads * model.HeadDim, f = model.IntermediateSize;
        var shapes = new Dictionary<string, (string Block, int In, int Out)>
        {
            ["q_proj"] = ("self_attn", d, q),
            ["k_proj"] = ("self_attn", d, kv),
            ["v_proj"] = ("self_attn", d, kv),
            ["o_proj"] = ("self_attn", q, d),
            ["gate_proj"] = ("mlp", d, f),
            ["up_proj"] = ("mlp", d, f),
            ["down_proj"] = ("mlp", f, d),
        };
        var adapters = new Dictionary<string, LoraAdapter>[model.NumLayers];
        for (var i = 0; i < model.NumLayers; i++)
        {
            var layer = new Container();
            layers.Add(layer);
            adapters[i] = [];
            // Registration follows LLaMA's own order so the keys come out as peft lists them.
            foreach (var target in LoraConfig.KnownTargets.Where(config.TargetModules.Contains))
            {
                var (block, input, output) = shapes[target];
                var container = layer.GetOrAdd(block);
                adapters[i][target] = container.Add(target, new LoraAdapter(input, output, config.Rank, config.Scale, config.AdapterName));
            }
        }

        Adapters = adapters;
    }

    /// <summary>The configuration the adapters were built for.</summary>
    public LoraConfig Config { get; }

    /// <summary>Per layer: projection name → adapter.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, LoraAdapter>> Adapters { get; }

    /// <summary>
    /// Loads the adapters from <paramref name="source"/>, whose keys are this module's keys after
    /// <paramref name="prefix"/> (peft adapter file: "base_model.model."; MiniGPT-5 stage 2:
    /// "model.llama_model.base_model.model."). Keys with the adapter name ("lora_A.default.weight", as a model's
    /// state dict has them) and without it ("lora_A.weight", as peft saves adapter files) are both accepted. Strict:
    /// a missing, extra or misshapen adapter is an error listing them all.
    /// </summary>
    public void LoadAdapters(IReadOnlyDictionary<string, CheckpointTensor> source, string prefix)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prefix);
        var named = "." + Config.AdapterName + ".weight";
        var view = RenamedCheckpointDictionary.Renamed(source, key =>
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || !key.Contains(".lora_", StringComparison.Ordinal))
            {
                return null;
            }

            var rest = key[prefix.Length..];
            foreach (var part in UnnamedAdapterSuffixes)
            {
                if (rest.EndsWith(part, StringComparison.Ordinal))
                {
                    return rest[..^".weight".Length] + named;
                }
            }

            return rest;
        });
        Load(view);
    }

    /// <summary>
    /// Builds and loads the adapters a checkpoint holds under <paramref name="prefix"/>: the rank comes from the
    /// lora_A shapes, the targets from the key names, alpha from <paramref name="alpha"/> (peft keeps it in
    /// adapter_config.json, not in the weights; MiniGPT-5 uses 16).
    /// </summary>
    public static LlamaLora FromCheckpoint(LlamaConfig model, IReadOnlyDictionary<string, CheckpointTensor> source, string prefix, double alpha)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        int? rank = null;
        foreach (var (key, tensor) in source)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = AdapterKey().Match(key, prefix.Length);
            if (!match.Success)
            {
                continue;
            }

            targets.Add(match.Groups[1].Value);
            if (match.Groups[2].Value == "A" && tensor.Shape.Length == 2)
            {
                var r = (int)tensor.Shape[0];
                if (rank is { } known && known != r)
                {
                    throw new CheckpointFormatException(RenamedCheckpointDictionary.SourceName(source), key, $"has rank {r} but other adapters have rank {known}.");
                }

                rank = r;
            }
        }

        if (targets.Count == 0 || rank is null)
        {
            throw new CheckpointFormatException(RenamedCheckpointDictionary.SourceName(source), null,
                $"holds no LoRA adapters under '{prefix}' (expected keys like {prefix}model.layers.0.self_attn.q_proj.lora_A.default.weight).");
        }

        var lora = new LlamaLora(model, new LoraConfig { Rank = rank.Value, Alpha = alpha, TargetModules = [.. targets] });
        try
        {
            lora.LoadAdapters(source, prefix);
            return lora;
        }
        catch
        {
            lora.Dispose();
            throw;
        }
    }

    /// <summary>Loads a peft adapter folder: adapter_config.json plus adapter_model.safetensors or adapter_model.bin.</summary>
    public static LlamaLora FromPeftFolder(LlamaConfig model, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = LoraConfig.Load(folder);
        var file = AdapterFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
            ?? throw new LlamaConfigException(folder, "holds no adapter_model.safetensors or adapter_model.bin.");
        using var weights = CheckpointSet.Open(file, cancellationToken: cancellationToken);
        var lora = new LlamaLora(model, config);
        try
        {
            lora.LoadAdapters(weights, "base_model.model.");
            return lora;
        }
        catch
        {
            lora.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"\Gmodel\.layers\.\d+\.(?:self_attn|mlp)\.(\w+_proj)\.lora_([AB])\.")]
    private static partial Regex AdapterKey();

    /// <summary>A named grouping level of the key tree ("model", "layers.N", "self_attn", "mlp").</summary>
    private sealed class Container : Module
    {
        private readonly Dictionary<string, Container> _blocks = [];

        public T Add<T>(string name, T module)
            where T : Module => Child(name, module);

        public Container GetOrAdd(string name)
        {
            if (!_blocks.TryGetValue(name, out var block))
            {
                block = Child(name, new Container());
                _blocks[name] = block;
            }

            return block;
        }
    }
}
