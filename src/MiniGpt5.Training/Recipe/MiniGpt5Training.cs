using System.Text.Json.Nodes;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// MiniGPT-5's two stages on our trainer, for any model size. Stage 1 starts from a Hugging Face LLaMA folder: the
/// tokenizer gains [IMG0]..[IMG7] and &lt;ImageHere&gt;, the embedding and LM head gain their rows (initialised to the
/// mean of the old rows, as resize_token_embeddings + MiniGPT-5 do) and a fresh voken mapper is sized to the Stable
/// Diffusion folder's conditioning. Stage 2 starts from a stage-1 model folder and adds LoRA. Each writes a MiniGPT-5
/// model folder (minigpt5.json + the stage checkpoint under the release's key names) that
/// <see cref="MiniGpt5Model.Load"/> reads back.
/// </summary>
public static class MiniGpt5Training
{
    /// <summary>The stage-1 checkpoint's file name in an exported folder.</summary>
    public const string Stage1File = "stage1.safetensors";

    /// <summary>The stage-2 checkpoint's file name in an exported folder.</summary>
    public const string Stage2File = "stage2.safetensors";

    private const string LlmPrefix = MiniGpt5Model.LlmPrefix;

    private static readonly string[] TokenizerFiles = ["tokenizer.model", "tokenizer.json"];

    /// <summary>
    /// Stage 1 (unimodal alignment): trains the new token rows of the embedding and LM head, fc, the queries and the
    /// mapper transformer on caption–image <paramref name="train"/> examples; writes and returns OUT/model.
    /// </summary>
    public static async Task<string> Stage1Async(
        string llmFolder,
        string stableDiffusionFolder,
        IReadOnlyList<MiniGpt5Example> train,
        IReadOnlyList<MiniGpt5Example>? validation,
        VokenMapperConfig? mapperConfig,
        MiniGpt5StageOptions options,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(llmFolder);
        ArgumentNullException.ThrowIfNull(stableDiffusionFolder);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Settings with { Stage = MiniGpt5Stage.Stage1 };
        var modelFolder = Path.Combine(Path.GetFullPath(options.OutputDirectory), "model");
        using var sd = StableDiffusionPipeline.Load(stableDiffusionFolder, new StableDiffusionLoadOptions { LoadTextEncoder = settings.UseCaptionLoss }, cancellationToken);
        using var model = CreateStage1Model(llmFolder, sd, mapperConfig, modelFolder, options.Seed, cancellationToken);
        if (model.Llm.LmHead is null)
        {
            throw new InvalidOperationException($"The LLM in '{llmFolder}' ties its LM head to the embedding; MiniGPT-5 trains them as separate matrices.");
        }

        Freeze(model, sd);
        var (groups, masks) = Stage1Parameters(model, options);
        await RunAsync(model, sd, settings, groups, masks, train, validation, options, progress, cancellationToken).ConfigureAwait(false);

        Directory.CreateDirectory(modelFolder);
        await TensorExport.WriteAsync(Path.Combine(modelFolder, Stage1File), Stage1Tensors(model), options.ExportDType, StageMetadata(1), cancellationToken).ConfigureAwait(false);
        await WriteModelJsonAsync(modelFolder, model.Config with { Stage2Checkpoint = null }, Stage1File, null, cancellationToken).ConfigureAwait(false);
        return modelFolder;
    }

    /// <summary>
    /// Stage 2 (multimodal learning): from the stage-1 folder <paramref name="stage1Folder"/>, trains LoRA on the LLM,
    /// the new token rows and the mapper transformer (fc and queries frozen) on story examples; writes and returns
    /// OUT/model, holding a copy of the stage-1 checkpoint and the new stage-2 one.
    /// </summary>
    public static async Task<string> Stage2Async(
        string stage1Folder,
        IReadOnlyList<MiniGpt5Example> train,
        IReadOnlyList<MiniGpt5Example>? validation,
        MiniGpt5StageOptions options,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stage1Folder);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Settings with { Stage = MiniGpt5Stage.Stage2 };
        var config = MiniGpt5ModelConfig.Load(stage1Folder);
        if (config.Stage2Checkpoint is not null)
        {
            throw new MiniGpt5ModelException(config.Folder, $"already has a stage-2 checkpoint ('{config.Stage2Checkpoint}'); stage 2 starts from a stage-1 folder.");
        }

        var sdFolder = config.StableDiffusionFolder ?? throw new MiniGpt5ModelException(config.Folder,
            "names no \"stable_diffusion\" folder; stage 2's image loss runs through its UNet and VAE.");
        using var sd = StableDiffusionPipeline.Load(sdFolder, new StableDiffusionLoadOptions { LoadTextEncoder = settings.UseCaptionLoss }, cancellationToken);
        using var model = MiniGpt5Model.Load(stage1Folder, cancellationToken);
        if (model.Llm.WeightDType != DType.Float32)
        {
            // LoRA trains in float32 over a frozen base; our backward wants float32 weights throughout.
            model.Llm.ConvertTo(DType.Float32);
        }

        using var lora = new LlamaLora(model.Llm.Config, options.Lora);
        lora.InitializeWeights(new Generator(options.Seed ^ 0x10AA));
        foreach (var layer in lora.Adapters)
        {
            foreach (var adapter in layer.Values)
            {
                // peft: A Kaiming-uniform, B zeros, so training starts from the stage-1 model exactly.
                using var zeros = Tensor.ZerosLike(adapter.B.Weight.Value);
                adapter.B.Weight.Assign(zeros.Clone());
            }
        }

        model.Llm.ApplyLora(lora, merge: false);
        Freeze(model, sd);
        var (groups, masks) = Stage2Parameters(model, lora, options);
        await RunAsync(model, sd, settings, groups, masks, train, validation, options, progress, cancellationToken).ConfigureAwait(false);

        var modelFolder = Path.Combine(Path.GetFullPath(options.OutputDirectory), "model");
        Directory.CreateDirectory(modelFolder);
        File.Copy(config.Stage1Checkpoint, Path.Combine(modelFolder, Stage1File), overwrite: true);
        var tensors = groups.Where(g => g.Name != "mapper").SelectMany(g => g.Parameters).Select(p => (p.Name, p.Parameter.Value))
            .Concat(model.Mapper.Transformer.NamedParameters("llm_to_t2i_mapping.").Select(p => (p.Name, p.Parameter.Value)));
        await TensorExport.WriteAsync(Path.Combine(modelFolder, Stage2File), tensors, options.ExportDType, StageMetadata(2), cancellationToken).ConfigureAwait(false);
        await WriteModelJsonAsync(modelFolder, config with { LoraAlpha = options.Lora.Alpha }, Stage1File, Stage2File, cancellationToken).ConfigureAwait(false);
        return modelFolder;
    }

    /// <summary>The stage-1 checkpoint's tensors under the release's names.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Stage1Tensors(MiniGpt5Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        yield return (LlmPrefix + "model.embed_tokens.weight", model.Llm.Model.EmbedTokens.Weight.Value);
        yield return (LlmPrefix + "lm_head.weight", model.Llm.LmHead!.Weight.Value);
        foreach (var (name, parameter) in model.Mapper.NamedParameters())
        {
            yield return (name, parameter.Value);
        }
    }

    /// <summary>Writes minigpt5.json for an exported folder: paths relative to it, the mapper's sizes, the BOS id.</summary>
    public static Task WriteModelJsonAsync(string folder, MiniGpt5ModelConfig config, string stage1File, string? stage2File, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(config);
        string Relative(string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');
        var m = config.Mapper;
        var json = new JsonObject
        {
            ["format"] = MiniGpt5ModelConfig.Format,
            ["version"] = MiniGpt5ModelConfig.CurrentVersion,
            ["llm"] = Relative(config.LlmFolder),
            ["tokenizer"] = Relative(config.TokenizerPath),
            ["stage1"] = stage1File,
        };
        if (stage2File is not null)
        {
            json["stage2"] = stage2File;
        }

        if (config.StableDiffusionFolder is { } sd)
        {
            json["stable_diffusion"] = Relative(sd);
        }

        json["bos_token_id"] = config.BosTokenId;
        json["lora_alpha"] = config.LoraAlpha;
        json["mapper"] = new JsonObject
        {
            ["llm_hidden"] = m.LlmHidden, ["width"] = m.Width, ["heads"] = m.Heads, ["encoder_layers"] = m.EncoderLayers,
            ["decoder_layers"] = m.DecoderLayers, ["feed_forward"] = m.FeedForward, ["queries"] = m.Queries, ["vokens"] = m.Vokens,
            ["layer_norm_eps"] = m.LayerNormEps,
        };
        return NanoLlmFiles.WriteJsonAsync(Path.Combine(folder, MiniGpt5ModelConfig.FileName), json, cancellationToken);
    }

    /// <summary>The mapper sized for an LLM of width <paramref name="llmHidden"/> and a Stable Diffusion whose text encoder
    /// writes <paramref name="length"/> × <paramref name="width"/> conditioning, with the release's 8 vokens.</summary>
    public static VokenMapperConfig MapperFor(int llmHidden, int width, int length, int layers, int heads) => new()
    {
        LlmHidden = llmHidden, Width = width, Heads = heads, EncoderLayers = layers, DecoderLayers = layers,
        FeedForward = 4 * width, Queries = length, Vokens = 8,
    };

    /// <summary>
    /// Stage 1's trained parameters (marked trainable here; freeze the rest first): the embedding and LM head (base lr ×
    /// <see cref="MiniGpt5StageOptions.TokenRowLearningRateScale"/>, gradients masked to the new rows), fc, the mapper
    /// transformer and the queries (lr × <see cref="MiniGpt5StageOptions.MapperLearningRateScale"/>), each under the
    /// release's checkpoint name.
    /// </summary>
    public static (IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<GradientRowMask> Masks) Stage1Parameters(MiniGpt5Model model, MiniGpt5StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var embed = model.Llm.Model.EmbedTokens.Weight;
        var head = model.Llm.LmHead?.Weight ?? throw new InvalidOperationException("MiniGPT-5 needs an untied LM head.");
        embed.Trainable = head.Trainable = true;
        model.Mapper.SetTrainable(true);
        var firstNewRow = FirstNewRow(model);
        var mapperRate = options.LearningRate * options.MapperLearningRateScale;
        ParameterGroup[] groups =
        [
            new("model", [(LlmPrefix + "model.embed_tokens.weight", embed), (LlmPrefix + "lm_head.weight", head)],
                options.LearningRate * options.TokenRowLearningRateScale, options.WeightDecay),
            new("fc", model.Mapper.Fc.NamedParameters("fc."), mapperRate, options.WeightDecay),
            new("mapper", model.Mapper.Transformer.NamedParameters("llm_to_t2i_mapping."), mapperRate, options.WeightDecay),
            new("queries", [("t2i_decoder_prompt", model.Mapper.DecoderPrompt)], mapperRate, options.WeightDecay),
        ];
        return (groups, [new("embed_tokens", embed, firstNewRow), new("lm_head", head, firstNewRow)]);
    }

    /// <summary>
    /// Stage 2's trained parameters (marked trainable here; freeze the rest first): the LoRA adapters (base lr), the
    /// embedding and LM head as peft's modules_to_save copies (base lr × token-row scale, masked to the new rows) and
    /// the mapper transformer (base lr); fc and the queries stay frozen.
    /// </summary>
    public static (IReadOnlyList<ParameterGroup> Groups, IReadOnlyList<GradientRowMask> Masks) Stage2Parameters(
        MiniGpt5Model model, LlamaLora lora, MiniGpt5StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lora);
        ArgumentNullException.ThrowIfNull(options);
        var embed = model.Llm.Model.EmbedTokens.Weight;
        var head = model.Llm.LmHead?.Weight ?? throw new InvalidOperationException("MiniGPT-5 needs an untied LM head.");
        embed.Trainable = head.Trainable = true;
        lora.SetTrainable(true);
        model.Mapper.Transformer.SetTrainable(true);
        var firstNewRow = FirstNewRow(model);
        List<(string, Parameter)> rowParameters =
        [
            (LlmPrefix + "base_model.model.model.embed_tokens.modules_to_save.default.weight", embed),
            (LlmPrefix + "base_model.model.lm_head.modules_to_save.default.weight", head),
        ];
        ParameterGroup[] groups =
        [
            new("model", lora.NamedParameters(LlmPrefix + "base_model.model."), options.LearningRate, options.WeightDecay),
            new("token_rows", rowParameters, options.LearningRate * options.TokenRowLearningRateScale, options.WeightDecay),
            new("mapper", model.Mapper.Transformer.NamedParameters("llm_to_t2i_mapping."), options.LearningRate, options.WeightDecay),
        ];
        return (groups, [new("embed_tokens", embed, firstNewRow), new("lm_head", head, firstNewRow)]);
    }

    /// <summary>
    /// The trainer a stage runs: <paramref name="options"/>' steps, batch, accumulation, seed, checkpointing and clipping,
    /// AdamW over <paramref name="groups"/>, linear warmup (capped at a tenth of the run) then linear decay.
    /// </summary>
    public static Trainer<MiniGpt5Batch> CreateTrainer(
        ITrainingTask<MiniGpt5Batch> task,
        IReadOnlyList<ParameterGroup> groups,
        IReadOnlyList<GradientRowMask> masks,
        IBatchSource<MiniGpt5Batch> train,
        IBatchSource<MiniGpt5Batch>? validation,
        MiniGpt5StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Trainer<MiniGpt5Batch>(
            new TrainerOptions
            {
                OutputDirectory = options.OutputDirectory,
                Steps = options.Steps,
                BatchSize = options.BatchSize,
                AccumulationSteps = options.AccumulationSteps,
                Seed = options.Seed,
                Resume = options.Resume,
                CheckpointEvery = options.CheckpointEvery,
                ValidateEvery = options.ValidateEvery,
                ValidationBatches = options.ValidationBatches,
                MaxGradNorm = options.MaxGradNorm,
            },
            groups,
            task,
            train,
            validation,
            new LinearWarmupSchedule(Math.Min(options.WarmupSteps, Math.Max(1, options.Steps / 10)), options.Steps),
            masks);
    }

    private static MiniGpt5Model CreateStage1Model(
        string llmFolder, StableDiffusionPipeline sd, VokenMapperConfig? mapperConfig, string modelFolder, ulong seed, CancellationToken cancellationToken)
    {
        llmFolder = Path.GetFullPath(llmFolder);
        var tokenizerPath = TokenizerFiles.Select(n => Path.Combine(llmFolder, n)).FirstOrDefault(File.Exists)
            ?? throw new MiniGpt5ModelException(llmFolder, "has no tokenizer.model or tokenizer.json.");
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(tokenizerPath);
        var llmConfig = LlamaConfig.Load(llmFolder);
        LlamaForCausalLM llm;
        using (var weights = CheckpointSet.Open(llmFolder, cancellationToken: cancellationToken))
        {
            llm = LlamaForCausalLM.FromCheckpoint(llmConfig, weights, new LlamaLoadOptions
            {
                VocabSize = tokenizer.VocabularySize, SkipEmbeddings = true, WeightDType = DType.Float32,
            });
            try
            {
                ResizeRows(llm.Model.EmbedTokens.Weight, weights, "model.embed_tokens.weight", llmConfig.HiddenSize);
                ResizeRows(llm.LmHead?.Weight ?? throw new MiniGpt5ModelException(llmFolder, "ties its LM head to the embedding; MiniGPT-5 trains them separately."),
                    weights, llmConfig.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight", llmConfig.HiddenSize);
            }
            catch
            {
                llm.Dispose();
                throw;
            }
        }

        FeatureMapper? mapper = null;
        try
        {
            var textLength = sd.TextEncoder?.Config.MaxPositionEmbeddings ?? 77;
            var config = mapperConfig ?? MapperFor(llmConfig.HiddenSize, sd.Unet.Config.CrossAttentionDim[0], textLength, 4, 8);
            mapper = new FeatureMapper(config);
            mapper.InitializeWeights(new Generator(seed ^ 0x3A99));
            var modelConfig = new MiniGpt5ModelConfig
            {
                Folder = modelFolder,
                LlmFolder = llmFolder,
                TokenizerPath = tokenizerPath,
                Stage1Checkpoint = Path.Combine(modelFolder, Stage1File),
                StableDiffusionFolder = Path.GetFullPath(sd.Folder),
                Mapper = config,
                BosTokenId = tokenizer.BosId >= 0 ? tokenizer.BosId : MiniGpt5ModelConfig.ReleaseEraBosTokenId,
            };
            return new MiniGpt5Model(modelConfig, tokenizer, llm, null, mapper);
        }
        catch
        {
            llm.Dispose();
            mapper?.Dispose();
            throw;
        }
    }

    /// <summary>Copies the checkpoint's rows into <paramref name="target"/> and fills the rows past them with their mean.</summary>
    private static void ResizeRows(Parameter target, CheckpointSet weights, string key, int hidden)
    {
        if (!weights.TryGetValue(key, out var source) || source.Shape.Length != 2 || source.Shape[1] != hidden)
        {
            throw new CheckpointFormatException(RenamedCheckpointDictionary.SourceName(weights), key, $"must be a [rows, {hidden}] matrix.");
        }

        var rows = (int)source.Shape[0];
        var total = target.Shape[0];
        if (rows > total)
        {
            throw new CheckpointFormatException(RenamedCheckpointDictionary.SourceName(weights), key,
                $"has {rows} rows but the tokenizer with MiniGPT-5's tokens has only {total} ids.");
        }

        using var scope = TensorScope.Enter();
        using var old = new Embedding(rows, hidden);
        old.Load(RenamedCheckpointDictionary.Renamed(weights, k => k == key ? "weight" : null));
        var value = old.Weight.Value.To(DType.Float32);
        if (total > rows)
        {
            var mean = Ops.Mean(value, [0], keepDim: true);                               // [1, D]
            value = Ops.Cat([value, mean.Expand(total - rows, hidden).Contiguous()], dim: 0);
        }

        target.Assign(value.DetachFromScope());
    }

    private static int FirstNewRow(MiniGpt5Model model) => model.VokenIds.Append(model.ImagePlaceholderId).Min();

    private static void Freeze(MiniGpt5Model model, StableDiffusionPipeline sd)
    {
        model.Llm.SetTrainable(false);
        model.ImageEncoder?.SetTrainable(false);
        model.Mapper.SetTrainable(false);
        sd.Unet.SetTrainable(false);
        sd.Vae.SetTrainable(false);
        sd.TextEncoder?.SetTrainable(false);
    }

    private static async Task RunAsync(
        MiniGpt5Model model,
        StableDiffusionPipeline sd,
        MiniGpt5StageSettings settings,
        IReadOnlyList<ParameterGroup> groups,
        IReadOnlyList<GradientRowMask> masks,
        IReadOnlyList<MiniGpt5Example> train,
        IReadOnlyList<MiniGpt5Example>? validation,
        MiniGpt5StageOptions options,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var scheduler = SchedulerFactory.Create(null, sd.SchedulerConfig);
        var ldm = new LatentDiffusionLoss(sd.Unet, sd.Vae, scheduler);
        var captions = settings.UseCaptionLoss && sd.TextEncoder is { } encoder && sd.Tokenizer is { } clip ? new CaptionEncoder(encoder, clip) : null;
        var task = new MiniGpt5StageTask(model, ldm, captions, settings);
        var tokenizer = new SampleTokenizer(model.Tokenizer, model.VokenIds[0], model.VokenIds.Count);
        var images = new ImagePreprocessing(InputSize: model.ImageEncoder?.Config.Vit.ImageSize ?? 16, OutputSize: sd.DefaultImageSize, RandomFlip: options.RandomFlip);
        var collator = new MiniGpt5Collator(images, padId: model.Tokenizer.EosId >= 0 ? model.Tokenizer.EosId : 0);
        var trainSource = new ExampleBatchSource(train.Select(tokenizer.Tokenize).ToList(), collator);
        var validationSource = validation is { Count: > 0 } ? new ExampleBatchSource(validation.Select(tokenizer.Tokenize).ToList(), collator) : null;
        var trainer = CreateTrainer(task, groups, masks, trainSource, validationSource, options);
        model.Llm.Train(true);
        model.Mapper.Train(true);
        await trainer.RunAsync(progress, cancellationToken).ConfigureAwait(false);
        model.Llm.Train(false);
        model.Mapper.Train(false);
    }

    private static Dictionary<string, string> StageMetadata(int stage) => new()
    {
        ["format"] = "pt",
        ["minigpt5_stage"] = stage.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
