using System.Globalization;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors;
using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Dataset;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// MiniGPT-5-nano from scratch: the nano dataset, the vocabulary, the tiny LLaMA pre-trained on story text, then
/// stage 1 and stage 2 (MiniGpt5StageTask) against a nano Stable Diffusion. Each phase leaves its
/// result in the output folder and a later run skips finished phases and resumes an unfinished one from its last
/// checkpoint, so an interrupted run continues where it stopped and ends with the same weights.
/// </summary>
public sealed class NanoRecipe(NanoRecipeOptions options, string outputDirectory, IProgress<string>? log = null)
{
    /// <summary>The recipe's settings.</summary>
    public NanoRecipeOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Everything the run writes.</summary>
    public string OutputDirectory { get; } = Path.GetFullPath(outputDirectory ?? throw new ArgumentNullException(nameof(outputDirectory)));

    /// <summary>The pre-trained LLM's HF folder.</summary>
    public string LlmFolder => Path.Combine(OutputDirectory, "llm");

    /// <summary>Trainer checkpoints and logs of a phase.</summary>
    public string WorkFolder(string phase) => Path.Combine(OutputDirectory, "work", phase);

    /// <summary>Builds the vocabulary and writes <c>llm/tokenizer.json</c> (skipped when present); returns the tokenizer.</summary>
    public async Task<LlamaTokenizer> BuildTokenizerAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(LlmFolder, NanoLlmFiles.TokenizerFile);
        if (!File.Exists(path))
        {
            var json = NanoTokenizerBuilder.Build(NanoCorpus.VocabularyCorpus(Options.Seed, Options.Stories, Options.Captions));
            await NanoLlmFiles.WriteJsonAsync(path, json, cancellationToken).ConfigureAwait(false);
            Report($"tokenizer: {NanoTokenizerBuilder.BaseVocabularySize(json)} pieces + 9 MiniGPT-5 tokens → {path}");
        }

        return LlamaTokenizer.LoadMiniGpt5(path);
    }

    /// <summary>The nano LLaMA's architecture over a base vocabulary of <paramref name="vocabSize"/> pieces.</summary>
    public LlamaConfig LlmConfig(int vocabSize) => new()
    {
        HiddenSize = Options.Hidden,
        IntermediateSize = Options.Intermediate,
        NumLayers = Options.Layers,
        NumHeads = Options.Heads,
        NumKeyValueHeads = Options.Heads,
        VocabSize = vocabSize,
        MaxPositionEmbeddings = 1024,
    };

    /// <summary>
    /// Pre-trains the LLM on the training stories' text (next-token cross entropy over whole "next scene" conversations,
    /// BOS first) and writes the HF folder <see cref="LlmFolder"/>; skipped when its weights exist.
    /// </summary>
    public async Task PretrainAsync(CancellationToken cancellationToken = default)
    {
        var weights = Path.Combine(LlmFolder, NanoLlmFiles.WeightsFile);
        var tokenizer = await BuildTokenizerAsync(cancellationToken).ConfigureAwait(false);
        if (File.Exists(weights))
        {
            Report($"pretrain: {weights} exists, skipped");
            return;
        }

        var baseVocabulary = tokenizer.Processor.VocabularySize;
        var config = LlmConfig(baseVocabulary);
        using var llm = new LlamaForCausalLM(config);
        llm.InitializeWeights(new Generator(Options.Seed));
        var train = Sequences(tokenizer, NanoSplit.Train, Options.Stories, 0x5052);
        var validation = Sequences(tokenizer, NanoSplit.Val, Math.Max(8, Options.Stories / 20), 0x5053);
        Report(string.Create(CultureInfo.InvariantCulture,
            $"pretrain: LLaMA {config.NumLayers}×{config.HiddenSize} ({llm.ParameterCount():N0} parameters), {train.Count} sequences (≤ {train.MaxLength} tokens), {Options.PretrainSteps} steps × {Options.PretrainBatch}"));
        var trainer = new Trainer<TextBatch>(
            new TrainerOptions
            {
                OutputDirectory = WorkFolder("pretrain"),
                Steps = Options.PretrainSteps,
                BatchSize = Options.PretrainBatch,
                Seed = Options.Seed,
                Resume = true,
                CheckpointEvery = 100,
                ValidateEvery = 100,
                ValidationBatches = 4,
                MaxGradNorm = 1.0,
            },
            [new ParameterGroup("llm", llm.NamedParameters(), Options.PretrainLearningRate, weightDecay: 0.01)],
            new LanguageModelTask(llm),
            train,
            validation,
            new LinearWarmupSchedule(Math.Max(1, Options.PretrainSteps / 20), Options.PretrainSteps));
        await trainer.RunAsync(ProgressLogger("pretrain"), cancellationToken).ConfigureAwait(false);
        await NanoLlmFiles.WriteJsonAsync(Path.Combine(LlmFolder, NanoLlmFiles.ConfigFile),
            NanoLlmFiles.ConfigJson(config, tokenizer.BosId, tokenizer.EosId), cancellationToken).ConfigureAwait(false);
        await TensorExport.WriteAsync(weights, llm.NamedParameters().Select(p => (p.Name, p.Parameter.Value)), cancellationToken: cancellationToken).ConfigureAwait(false);
        Report($"pretrain: wrote {LlmFolder}");
    }

    /// <summary>The nano dataset folder (CC3M/ and VIST/ layouts).</summary>
    public string DataFolder => Path.Combine(OutputDirectory, "data");

    /// <summary>The stage-1 model folder.</summary>
    public string Stage1Folder => Path.Combine(WorkFolder("stage1"), "model");

    /// <summary>The stage-2 model folder.</summary>
    public string Stage2Folder => Path.Combine(WorkFolder("stage2"), "model");

    /// <summary>Writes the nano dataset (train with the recipe's counts, val and test a twentieth each); skipped when present.</summary>
    public async Task WriteDatasetAsync(CancellationToken cancellationToken = default)
    {
        if (File.Exists(Path.Combine(DataFolder, "nanoworld_train.json")))
        {
            Report($"dataset: {DataFolder} exists, skipped");
            return;
        }

        int HeldOut(int n) => Math.Max(1, n / 20);
        var result = await NanoDatasetWriter.WriteAsync(
            new NanoDatasetRequest(DataFolder, Options.Seed,
            [
                new NanoSplitRequest(NanoSplit.Train, Options.Captions, Options.Stories),
                new NanoSplitRequest(NanoSplit.Val, HeldOut(Options.Captions), HeldOut(Options.Stories)),
                new NanoSplitRequest(NanoSplit.Test, HeldOut(Options.Captions), HeldOut(Options.Stories)),
            ], Force: true),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        Report($"dataset: {result.Images} images → {DataFolder}");
    }

    /// <summary>The stage options of the nano recipe for <paramref name="stage"/> with the given loss settings.</summary>
    public MiniGpt5StageOptions StageOptions(MiniGpt5Stage stage, string outputDirectory, MiniGpt5StageSettings settings) => new()
    {
        OutputDirectory = outputDirectory,
        Steps = stage == MiniGpt5Stage.Stage1 ? Options.Stage1Steps : Options.Stage2Steps,
        BatchSize = stage == MiniGpt5Stage.Stage1 ? Options.Stage1Batch : Options.Stage2Batch,
        LearningRate = Options.StageLearningRate,
        MapperLearningRateScale = 10,
        TokenRowLearningRateScale = Options.TokenRowLearningRateScale,
        WarmupSteps = 1000,
        MaxGradNorm = 1.0,
        Seed = Options.Seed,
        Settings = settings,
        Lora = LoraConfig.MiniGpt5,
        RandomFlip = false,
        CheckpointEvery = 50,
    };

    /// <summary>The nano mapper: the LLM's width in, the text encoder's length × width out, <see cref="NanoRecipeOptions.MapperLayers"/> layers each side.</summary>
    public VokenMapperConfig MapperConfig(string stableDiffusionFolder)
    {
        var unet = DiffusersConfig.Load(Path.Combine(stableDiffusionFolder, "unet", "config.json"));
        var text = DiffusersConfig.Load(Path.Combine(stableDiffusionFolder, "text_encoder", "config.json"));
        return MiniGpt5Training.MapperFor(Options.Hidden, unet.GetInt("cross_attention_dim"), text.GetInt("max_position_embeddings"), Options.MapperLayers, Options.MapperHeads);
    }

    /// <summary>
    /// Stage 1 on the dataset's captions, from the pre-trained LLM, against <paramref name="stableDiffusionFolder"/>, into
    /// <paramref name="runFolder"/> (default work/stage1); skipped when its model folder exists. Returns the model folder.
    /// </summary>
    public async Task<string> Stage1Async(string stableDiffusionFolder, MiniGpt5StageSettings? settings = null, string? runFolder = null, CancellationToken cancellationToken = default)
    {
        runFolder ??= WorkFolder("stage1");
        var modelFolder = Path.Combine(runFolder, "model");
        if (File.Exists(Path.Combine(modelFolder, MiniGpt5Training.Stage1File)))
        {
            Report($"stage1: {modelFolder} exists, skipped");
            return modelFolder;
        }

        var cc3m = Path.Combine(DataFolder, NanoDatasetWriter.Cc3mFolder);
        var templates = new TemplateChooser(Options.Seed ^ 0x5101);
        var train = await Cc3mDataset.LoadAsync(Path.Combine(cc3m, "cc3m_train.tsv"), cc3m, training: true, templates, cancellationToken).ConfigureAwait(false);
        var validation = await Cc3mDataset.LoadAsync(Path.Combine(cc3m, "cc3m_val.tsv"), cc3m, training: false, templates, cancellationToken).ConfigureAwait(false);
        Report(string.Create(CultureInfo.InvariantCulture, $"stage1 ({runFolder}): {train.Count} caption examples, {Options.Stage1Steps} steps × {Options.Stage1Batch}"));
        return await MiniGpt5Training.Stage1Async(
            LlmFolder, stableDiffusionFolder, train, validation, MapperConfig(stableDiffusionFolder),
            StageOptions(MiniGpt5Stage.Stage1, runFolder, settings ?? new MiniGpt5StageSettings()),
            ProgressLogger(Path.GetFileName(runFolder)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stage 2 on the dataset's stories (text-only prompts: the nano model has no image encoder) from
    /// <paramref name="stage1Folder"/>, into <paramref name="runFolder"/> (default work/stage2); skipped when done.
    /// </summary>
    public async Task<string> Stage2Async(string stage1Folder, string? runFolder = null, CancellationToken cancellationToken = default)
    {
        runFolder ??= WorkFolder("stage2");
        var modelFolder = Path.Combine(runFolder, "model");
        if (File.Exists(Path.Combine(modelFolder, MiniGpt5Training.Stage2File)))
        {
            Report($"stage2: {modelFolder} exists, skipped");
            return modelFolder;
        }

        var vist = Path.Combine(DataFolder, NanoDatasetWriter.VistFolder);
        var templates = new TemplateChooser(Options.Seed ^ 0x5202);
        var train = TextOnlyExamples.From(await VistDataset.LoadAsync(Path.Combine(vist, "train_cleaned.json"), vist, training: true, templates, cancellationToken).ConfigureAwait(false));
        var validation = TextOnlyExamples.From(await VistDataset.LoadAsync(Path.Combine(vist, "val_cleaned.json"), vist, training: false, templates, cancellationToken).ConfigureAwait(false));
        Report(string.Create(CultureInfo.InvariantCulture, $"stage2 ({runFolder}): {train.Count} story examples, {Options.Stage2Steps} steps × {Options.Stage2Batch}"));
        return await MiniGpt5Training.Stage2Async(
            stage1Folder, train, validation, StageOptions(MiniGpt5Stage.Stage2, runFolder, MiniGpt5StageSettings.Stage2Defaults),
            ProgressLogger(Path.GetFileName(runFolder)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a trained model folder into <paramref name="destination"/> as one self-contained folder: llm/ (config,
    /// float16 weights, tokenizer), the stage checkpoints in float16, the Stable Diffusion folder (copied unless it is
    /// already <paramref name="destination"/>/stable-diffusion) and minigpt5.json. With <paramref name="sharedFrom"/>
    /// (an export folder), only the stage checkpoints are written and minigpt5.json points at its llm/ and
    /// stable-diffusion/ (the ablations share the shipped model's LLM and SD).
    /// </summary>
    public static async Task ExportAsync(string modelFolder, string destination, string? sharedFrom = null, CancellationToken cancellationToken = default)
    {
        var config = MiniGpt5ModelConfig.Load(modelFolder);
        destination = Path.GetFullPath(destination);
        Directory.CreateDirectory(destination);
        string llm, tokenizer;
        string? sd = null;
        if (sharedFrom is not null)
        {
            // The shared folder's layout, whether or not it is written yet (an ablation may finish first).
            llm = Path.Combine(Path.GetFullPath(sharedFrom), "llm");
            tokenizer = Path.Combine(llm, Path.GetFileName(config.TokenizerPath));
            sd = config.StableDiffusionFolder is null ? null : Path.Combine(Path.GetFullPath(sharedFrom), "stable-diffusion");
        }
        else
        {
            llm = Path.Combine(destination, "llm");
            Directory.CreateDirectory(llm);
            File.Copy(Path.Combine(config.LlmFolder, NanoLlmFiles.ConfigFile), Path.Combine(llm, NanoLlmFiles.ConfigFile), overwrite: true);
            tokenizer = Path.Combine(llm, Path.GetFileName(config.TokenizerPath));
            if (!string.Equals(Path.GetFullPath(config.TokenizerPath), tokenizer, StringComparison.Ordinal))
            {
                File.Copy(config.TokenizerPath, tokenizer, overwrite: true);
            }

            await CastAsync(Path.Combine(config.LlmFolder, NanoLlmFiles.WeightsFile), Path.Combine(llm, NanoLlmFiles.WeightsFile), cancellationToken).ConfigureAwait(false);
            if (config.StableDiffusionFolder is { } source)
            {
                sd = Path.Combine(destination, "stable-diffusion");
                if (!string.Equals(Path.GetFullPath(source), sd, StringComparison.Ordinal))
                {
                    CopyFolder(source, sd);
                }
            }
        }

        await CastAsync(config.Stage1Checkpoint, Path.Combine(destination, MiniGpt5Training.Stage1File), cancellationToken).ConfigureAwait(false);
        if (config.Stage2Checkpoint is { } stage2)
        {
            await CastAsync(stage2, Path.Combine(destination, MiniGpt5Training.Stage2File), cancellationToken).ConfigureAwait(false);
        }

        await MiniGpt5Training.WriteModelJsonAsync(destination, config with
        {
            LlmFolder = llm, TokenizerPath = tokenizer, StableDiffusionFolder = sd,
        }, MiniGpt5Training.Stage1File, config.Stage2Checkpoint is null ? null : MiniGpt5Training.Stage2File, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The training ablations, by name.</summary>
    public static IReadOnlyList<string> Ablations { get; } = ["no-stage1", "no-cap"];

    /// <summary>
    /// The paper's training ablations with the same data, seed and step counts as the full recipe: "no-stage1" (stage 2
    /// straight from the pre-trained LLM and a fresh mapper, i.e. zero stage-1 steps) and "no-cap" (stage 1 without the
    /// CAP loss, then stage 2); each exported to <paramref name="exportRoot"/>/ablations/NAME sharing its llm/ and SD.
    /// </summary>
    public async Task AblationsAsync(string stableDiffusionFolder, string exportRoot, CancellationToken cancellationToken = default)
    {
        foreach (var name in Ablations)
        {
            await AblationAsync(name, stableDiffusionFolder, exportRoot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One ablation of <see cref="Ablations"/> (see <see cref="AblationsAsync"/>); its run folders are work/NAME-stage1|2.</summary>
    public async Task<string> AblationAsync(string name, string stableDiffusionFolder, string exportRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stableDiffusionFolder);
        ArgumentNullException.ThrowIfNull(exportRoot);
        stableDiffusionFolder = Path.GetFullPath(stableDiffusionFolder);
        var stage1 = name switch
        {
            "no-stage1" => await new NanoRecipe(Options with { Stage1Steps = 0 }, OutputDirectory, log)
                .Stage1Async(stableDiffusionFolder, runFolder: WorkFolder("no-stage1-stage1"), cancellationToken: cancellationToken).ConfigureAwait(false),
            "no-cap" => await Stage1Async(stableDiffusionFolder, new MiniGpt5StageSettings { UseCaptionLoss = false }, WorkFolder("no-cap-stage1"), cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"Unknown ablation '{name}'; the ablations are {string.Join(", ", Ablations)}.", nameof(name)),
        };
        var final = await Stage2Async(stage1, WorkFolder(name + "-stage2"), cancellationToken).ConfigureAwait(false);
        var destination = Path.Combine(exportRoot, "ablations", name);
        await ExportAsync(final, destination, exportRoot, cancellationToken).ConfigureAwait(false);
        Report($"ablation {name}: {destination}");
        return destination;
    }

    private static async Task CastAsync(string source, string destination, CancellationToken cancellationToken)
    {
        using var scope = TensorScope.Enter();
        using var set = CheckpointSet.Open(source, cancellationToken: cancellationToken);
        var tensors = set.Keys.Order(StringComparer.Ordinal).Select(k => (k, Tensor.FromStorage(set[k].Storage, set[k].DType, set[k].Shape, set[k].Strides, set[k].ElementOffset))).ToList();
        await TensorExport.WriteAsync(destination, tensors, DType.Float16, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static void CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>
    /// Everything after pre-training: the dataset, stage 1 and stage 2 against <paramref name="stableDiffusionFolder"/>,
    /// and the export of the self-contained model to OUT/nano; stops after <paramref name="stopAfter"/> when given.
    /// </summary>
    public async Task<string?> RunStagesAsync(string stableDiffusionFolder, string? stopAfter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stableDiffusionFolder);
        if (!File.Exists(Path.Combine(stableDiffusionFolder, "unet", "config.json")))
        {
            throw new DirectoryNotFoundException($"'{stableDiffusionFolder}' is not a diffusers Stable Diffusion folder (no unet/config.json).");
        }

        await WriteDatasetAsync(cancellationToken).ConfigureAwait(false);
        var stage1 = await Stage1Async(Path.GetFullPath(stableDiffusionFolder), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (stopAfter == "stage1")
        {
            return stage1;
        }

        var stage2 = await Stage2Async(stage1, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (stopAfter == "stage2")
        {
            return stage2;
        }

        var final = Path.Combine(OutputDirectory, "nano");
        await ExportAsync(stage2, final, cancellationToken: cancellationToken).ConfigureAwait(false);
        Report($"export: {final}");
        if (stopAfter == "export")
        {
            return final;
        }

        await AblationsAsync(stableDiffusionFolder, final, cancellationToken).ConfigureAwait(false);
        return final;
    }

    /// <summary>A trainer progress sink that logs every <see cref="NanoRecipeOptions.LogEvery"/> steps, validations and checkpoints.</summary>
    public IProgress<TrainingProgress> ProgressLogger(string phase) => new SyncProgress<TrainingProgress>(p =>
    {
        if (p.Step % Options.LogEvery != 0 && p.ValidationLoss is null && p.Checkpoint is null && p.Step != p.TotalSteps)
        {
            return;
        }

        var parts = string.Join(" ", p.Components.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value:F4}")));
        var eta = p.StepsPerSecond > 0 ? TimeSpan.FromSeconds((p.TotalSteps - p.Step) / p.StepsPerSecond) : TimeSpan.Zero;
        var validation = p.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $" val {v:F4}") : string.Empty;
        var saved = p.Checkpoint is { } c ? $" saved {Path.GetFileName(c)}" : string.Empty;
        Report(string.Create(CultureInfo.InvariantCulture,
            $"{phase} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {parts} lr {p.LearningRate:G3} {p.StepsPerSecond:F2} step/s eta {eta:hh\\:mm\\:ss}{validation}{saved}"));
    });

    private TokenSequenceSource Sequences(LlamaTokenizer tokenizer, NanoSplit split, int stories, ulong templateStream)
    {
        var templates = new TemplateChooser(Options.Seed ^ templateStream);
        var sequences = new List<int[]>();
        foreach (var sample in NanoDatasetSampler.Stories(Options.Seed, split).Take(stories))
        {
            foreach (var (source, target) in NanoCorpus.PretrainingPairs(sample.Story, templates))
            {
                sequences.Add([tokenizer.BosId, .. tokenizer.Encode(source), .. tokenizer.Encode(target)]);
            }
        }

        return new TokenSequenceSource(sequences, tokenizer.EosId);
    }

    private void Report(string message) => log?.Report(message);

    /// <summary>Progress that runs its handler inline (Progress&lt;T&gt; posts to the thread pool and may reorder lines).</summary>
    private sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
