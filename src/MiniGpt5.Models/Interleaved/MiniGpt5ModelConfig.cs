using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Models.Vision;
using MiniGpt5.Models.VokenMapper;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// <c>minigpt5.json</c>, the file that makes a folder a MiniGPT-5 model: it names the parts (relative paths inside the
/// folder) and the settings the released code hard-codes. The released model:
/// <code>
/// {
///   "format": "minigpt5", "version": 1,
///   "llm": "vicuna-7b",                                   // HF LLaMA folder: config.json, tokenizer.model, weights
///   "vision": { "eva_vit": "eva_vit_g.pth", "qformer": "blip2_pretrained_flant5xxl.pth",
///               "projection": "prerained_minigpt4_7b.pth" },
///   "stage1": "stage1_cc3m.ckpt",
///   "stage2": "stage2_vist.ckpt",                         // optional (LoRA + modules_to_save + mapper)
///   "stable_diffusion": "stable-diffusion-2-1-base",      // diffusers folder
///   "bos_token_id": 2                                     // release era (HEAD uses 1)
/// }
/// </code>
/// A small model with the same architecture states its sizes in <c>"vision": {"vit": {...}, "qformer_config": {...}}</c>
/// and <c>"mapper": {...}</c>; the LLM's sizes come from its config.json.
/// </summary>
public sealed record MiniGpt5ModelConfig
{
    /// <summary>The file name.</summary>
    public const string FileName = "minigpt5.json";

    /// <summary>The value of "format".</summary>
    public const string Format = "minigpt5";

    /// <summary>The newest "version" this code reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>
    /// The BOS id the released checkpoints were trained with: the Oct-2023 code set bos_token = "&lt;/s&gt;" (id 2)
    /// before input_warp prepended it; HEAD prepends "&lt;s&gt;" (id 1). MODEL_SPEC §1.2.
    /// </summary>
    public const int ReleaseEraBosTokenId = 2;

    /// <summary>The folder holding minigpt5.json.</summary>
    public required string Folder { get; init; }

    /// <summary>The LLaMA/Vicuna folder (absolute).</summary>
    public required string LlmFolder { get; init; }

    /// <summary>tokenizer.model or tokenizer.json (absolute); default: the one in the LLM folder.</summary>
    public required string TokenizerPath { get; init; }

    /// <summary>The image-input part, or null for a text-only model (prompts may not contain &lt;ImageHere&gt;).</summary>
    public VisionFiles? Vision { get; init; }

    /// <summary>stage1_cc3m.ckpt (absolute): embeddings, LM head, fc, queries, mapper.</summary>
    public required string Stage1Checkpoint { get; init; }

    /// <summary>stage2_*.ckpt (absolute) or null.</summary>
    public string? Stage2Checkpoint { get; init; }

    /// <summary>The Stable Diffusion diffusers folder (absolute), or null (text and conditioning only).</summary>
    public string? StableDiffusionFolder { get; init; }

    /// <summary>The mapper's sizes (its LLM width is checked against the LLM).</summary>
    public VokenMapperConfig Mapper { get; init; } = VokenMapperConfig.MiniGpt5;

    /// <summary>The BOS embedding input_warp puts first (see <see cref="ReleaseEraBosTokenId"/>).</summary>
    public int BosTokenId { get; init; } = ReleaseEraBosTokenId;

    /// <summary>LoRA alpha of the stage-2 adapters (peft keeps it outside the weights; MiniGPT-5: 16, with r 8).</summary>
    public double LoraAlpha { get; init; } = 16;

    /// <summary>
    /// dtype name ("float32", "bfloat16", "float16") for the LLM's projection weights, or null to keep what the
    /// checkpoint holds (Vicuna-7B v0: fp16).
    /// </summary>
    public string? LlmDType { get; init; }

    /// <summary>Stop sequences as id lists; null derives MiniGPT-5's from the tokenizer ("▁###", and "##" "#").</summary>
    public IReadOnlyList<int[]>? StopSequences { get; init; }

    /// <summary>Reads <c>minigpt5.json</c> from <paramref name="folder"/> and resolves every path; checks that each named file exists.</summary>
    public static MiniGpt5ModelConfig Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        folder = Path.GetFullPath(folder);
        var file = Path.Combine(folder, FileName);
        if (!Directory.Exists(folder))
        {
            throw new MiniGpt5ModelException(folder, "does not exist; --model takes a MiniGPT-5 model folder (with minigpt5.json) or a Hugging Face LLaMA folder.");
        }

        if (!File.Exists(file))
        {
            throw new MiniGpt5ModelException(file, "is missing; a MiniGPT-5 model folder describes its parts in minigpt5.json.");
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new MiniGpt5ModelException(file, "must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new MiniGpt5ModelException(file, $"is not valid JSON ({e.Message}).", e);
        }

        var reader = new Reader(json, file, folder);
        var format = reader.String("format");
        if (format != Format)
        {
            throw new MiniGpt5ModelException(file, $"\"format\" must be \"{Format}\", got {(format is null ? "nothing" : $"\"{format}\"")}.");
        }

        var version = reader.Int("version") ?? 0;
        if (version is < 1 or > CurrentVersion)
        {
            throw new MiniGpt5ModelException(file, $"\"version\" {version} is not supported (this build reads 1..{CurrentVersion}).");
        }

        var llm = reader.RequiredPath("llm", directory: true);
        var tokenizer = reader.Path("tokenizer", directory: false) ?? DefaultTokenizer(llm, file);
        var stage1 = reader.Path("stage1", directory: false);
        var stage2 = reader.Path("stage2", directory: false);
        if (stage1 is null)
        {
            throw new MiniGpt5ModelException(file, stage2 is null
                ? "\"stage1\" is missing: MiniGPT-5 needs stage1_cc3m.ckpt (embeddings, LM head, fc, queries, mapper)."
                : "names a stage-2 checkpoint without \"stage1\": stage 2 holds neither fc nor the decoder queries, which come from stage1_cc3m.ckpt.");
        }

        VisionFiles? vision = null;
        if (json["vision"] is JsonObject visionJson)
        {
            var v = new Reader(visionJson, file, folder, "vision.");
            vision = new VisionFiles(
                v.RequiredPath("eva_vit", directory: false),
                v.RequiredPath("qformer", directory: false),
                v.RequiredPath("projection", directory: false),
                v.Object("vit") is { } vit ? ParseVit(new Reader(vit, file, folder, "vision.vit.")) : EvaVitConfig.G,
                v.Object("qformer_config") is { } q ? ParseQFormer(new Reader(q, file, folder, "vision.qformer_config.")) : QFormerConfig.Blip2,
                v.String("vit_dtype") ?? "float16");
        }

        return new MiniGpt5ModelConfig
        {
            Folder = folder,
            LlmFolder = llm,
            TokenizerPath = tokenizer,
            Vision = vision,
            Stage1Checkpoint = stage1,
            Stage2Checkpoint = stage2,
            StableDiffusionFolder = reader.Path("stable_diffusion", directory: true),
            Mapper = reader.Object("mapper") is { } m ? ParseMapper(new Reader(m, file, folder, "mapper.")) : VokenMapperConfig.MiniGpt5,
            BosTokenId = reader.Int("bos_token_id") ?? ReleaseEraBosTokenId,
            LoraAlpha = reader.Double("lora_alpha") ?? 16,
            LlmDType = reader.String("llm_dtype"),
            StopSequences = json["stop_sequences"] is JsonArray stops
                ? stops.Select(s => s!.AsArray().Select(i => i!.GetValue<int>()).ToArray()).ToArray()
                : null,
        };
    }

    private static string DefaultTokenizer(string llm, string file)
    {
        foreach (var name in new[] { "tokenizer.model", "tokenizer.json" })
        {
            var candidate = System.IO.Path.Combine(llm, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new MiniGpt5ModelException(file, $"names no \"tokenizer\" and the LLM folder '{llm}' has no tokenizer.model or tokenizer.json.");
    }

    private static EvaVitConfig ParseVit(Reader r) => new()
    {
        ImageSize = r.RequiredInt("image_size"), PatchSize = r.RequiredInt("patch_size"), Width = r.RequiredInt("width"),
        Depth = r.RequiredInt("depth"), Heads = r.RequiredInt("heads"), MlpHidden = r.RequiredInt("mlp_hidden"),
        LayerNormEps = r.Double("layer_norm_eps") ?? 1e-6,
    };

    private static QFormerConfig ParseQFormer(Reader r) => new()
    {
        Hidden = r.RequiredInt("hidden"), Layers = r.RequiredInt("layers"), Heads = r.RequiredInt("heads"),
        Intermediate = r.RequiredInt("intermediate"), QueryTokens = r.RequiredInt("query_tokens"), EncoderWidth = r.RequiredInt("encoder_width"),
        CrossAttentionFrequency = r.Int("cross_attention_freq") ?? 2, LayerNormEps = r.Double("layer_norm_eps") ?? 1e-12,
    };

    private static VokenMapperConfig ParseMapper(Reader r) => new()
    {
        LlmHidden = r.RequiredInt("llm_hidden"), Width = r.RequiredInt("width"), Heads = r.Int("heads") ?? 8,
        EncoderLayers = r.RequiredInt("encoder_layers"), DecoderLayers = r.RequiredInt("decoder_layers"),
        FeedForward = r.RequiredInt("feed_forward"), Queries = r.RequiredInt("queries"), Vokens = r.Int("vokens") ?? 8,
        LayerNormEps = r.Double("layer_norm_eps") ?? 1e-5,
    };

    /// <summary>The three image-path files and their architecture.</summary>
    public sealed record VisionFiles(string EvaVit, string QFormer, string Projection, EvaVitConfig Vit, QFormerConfig QFormerConfig, string VitDType);

    /// <summary>Typed access to one JSON object of minigpt5.json, with errors naming the field.</summary>
    private sealed class Reader(JsonObject json, string file, string folder, string prefix = "")
    {
        public string? String(string key) => Node(key) is { } node ? Read(key, node, n => n.GetValue<string>(), "a string") : null;

        public int? Int(string key) => Node(key) is { } node ? Read(key, node, n => n.GetValue<int>(), "an integer") : null;

        public double? Double(string key) => Node(key) is { } node ? Read(key, node, n => n.GetValue<double>(), "a number") : null;

        public int RequiredInt(string key) => Int(key) ?? throw new MiniGpt5ModelException(file, $"\"{prefix}{key}\" is missing.");

        public JsonObject? Object(string key) => json[key] as JsonObject;

        public string RequiredPath(string key, bool directory) =>
            Path(key, directory) ?? throw new MiniGpt5ModelException(file, $"\"{prefix}{key}\" is missing.");

        public string? Path(string key, bool directory)
        {
            var relative = String(key);
            if (relative is null)
            {
                return null;
            }

            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, relative));
            var exists = directory ? Directory.Exists(full) : File.Exists(full);
            if (!exists)
            {
                throw new MiniGpt5ModelException(file, $"\"{prefix}{key}\" names '{relative}', but {(directory ? "no folder" : "no file")} '{full}' exists.");
            }

            return full;
        }

        private JsonNode? Node(string key)
        {
            var node = json[key];
            return node is null || node.GetValueKind() == JsonValueKind.Null ? null : node;
        }

        private T Read<T>(string key, JsonNode node, Func<JsonNode, T> read, string kind)
        {
            try
            {
                return read(node);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new MiniGpt5ModelException(file, $"\"{prefix}{key}\" must be {kind}, got {node.ToJsonString()}.", e);
            }
        }
    }
}
