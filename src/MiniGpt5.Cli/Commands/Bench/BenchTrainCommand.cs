using System.CommandLine;
using System.Globalization;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench train [--json]`: MiniGPT-5 optimisation steps per second on the CPU, stage 1 and stage 2, for the
/// recipe goldens' tiny model (tests/golden/recipe: LLaMA 2 layers × 32, vocabulary 49; mapper 1+1 layers × 32, 77
/// queries; the tiny SD of tests/golden/training/tiny-sd, 16-px images, 8×8×4 latents) on their batch of two
/// caption–image samples (13 tokens each). Ours is the real trainer (<see cref="MiniGpt5Training.CreateTrainer"/>: the
/// stage's parameter groups, row masks, AdamW); PyTorch (tools/reference/recipe_bench_torch.py on /usr/bin/python3,
/// same thread count) runs recipe_goldens.py's model with torch.optim.AdamW, in this one run. Best of --repeats.
/// </summary>
internal static class BenchTrainCommand
{
    private const string TorchScript = "recipe_bench_torch.py";

    private const string Shapes = "LLaMA 2x32 vocab 49, mapper 1+1x32 77 queries, tiny SD 16 px, batch 2 x 13 tokens";

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case (name, unit, ours, anchor, ratio)." };
        var threads = new Option<int>("--threads") { Description = "Threads for our engine and PyTorch alike.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var steps = new Option<int>("--steps") { Description = "Timed optimisation steps per repeat (after one warm-up step).", DefaultValueFactory = _ => 10 };
        var repeats = new Option<int>("--repeats") { Description = "Repeats per side; the best is kept.", DefaultValueFactory = _ => 2 };
        var python = new Option<string>("--python") { Description = "Python with torch for the PyTorch anchor.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noTorch = new Option<bool>("--no-torch") { Description = "Skip the PyTorch anchor." };
        var referenceDir = new Option<string?>("--reference-dir") { Description = $"Folder holding {TorchScript} (default: tools/reference of the repository we run from)." };
        var command = new Command("train", "MiniGPT-5 stage-1 and stage-2 training steps/s (tiny model, CPU) beside PyTorch.")
        {
            json, threads, steps, repeats, python, noTorch, referenceDir,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(parse.GetValue(json), parse.GetValue(threads), parse.GetValue(steps), parse.GetValue(repeats), parse.GetValue(python)!,
                parse.GetValue(noTorch), parse.GetValue(referenceDir)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads < 1 || s.Steps < 1 || s.Repeats < 1)
        {
            await Console.Error.WriteLineAsync("minigpt5 bench train: --threads, --steps and --repeats must be at least 1.");
            return 2;
        }

        var script = ReferenceScript.Find(TorchScript, s.ReferenceDir);
        var repo = script is null ? null : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(script)!, "..", ".."));
        if (repo is null || !Directory.Exists(Path.Combine(repo, "tests", "golden", "recipe")))
        {
            await Console.Error.WriteLineAsync($"minigpt5 bench train: the tiny model lives in the repository's tests/golden/recipe; run from the repository (or pass --reference-dir tools/reference). {TorchScript} not found.");
            return 2;
        }

        var log = s.Json ? Console.Error : Console.Out;
        CpuBackend.Threads = s.Threads;
        await log.WriteLineAsync($"{Shapes}; {s.Steps} steps after a warm-up step, best of {s.Repeats}, {s.Threads} thread(s).");
        var stage1 = await MeasureOursAsync(repo, stage: 1, s, cancellationToken);
        var stage2 = await MeasureOursAsync(repo, stage: 2, s, cancellationToken);
        (double Stage1, double Stage2, string Name)? torch = null;
        if (s.NoTorch)
        {
            await log.WriteLineAsync("PyTorch anchor skipped (--no-torch).");
        }
        else
        {
            var (result, problem) = await ReferenceScript.RunAsync(s.Python, script!,
                ["--threads", s.Threads.ToString(CultureInfo.InvariantCulture), "--steps", s.Steps.ToString(CultureInfo.InvariantCulture), "--repeats", s.Repeats.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMinutes(10), cancellationToken);
            if (result is null)
            {
                await log.WriteLineAsync(problem);
            }
            else
            {
                torch = (result["stage1_seconds"]!.GetValue<double>(), result["stage2_seconds"]!.GetValue<double>(),
                    $"PyTorch {result["torch"]!.GetValue<string>()} CPU (torch.optim.AdamW, {result["threads"]!.GetValue<int>()} thread(s))");
            }
        }

        Report(s, log, "train/stage1 step (text+LDM+CAP)", 1 / stage1, torch?.Name, torch is { } a ? 1 / a.Stage1 : null);
        Report(s, log, "train/stage2 step (LoRA r2, text+LDM)", 1 / stage2, torch?.Name, torch is { } b ? 1 / b.Stage2 : null);
        return 0;
    }

    /// <summary>Seconds per optimisation step of our trainer (best of the repeats).</summary>
    private static async Task<double> MeasureOursAsync(string repo, int stage, Settings s, CancellationToken cancellationToken)
    {
        var golden = Path.Combine(repo, "tests", "golden", "recipe");
        var tinySd = Path.Combine(repo, "tests", "golden", "training", "tiny-sd");
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(tinySd, "unet"), cancellationToken: cancellationToken);
        using var vae = AutoencoderKL.FromPretrained(Path.Combine(tinySd, "vae"), cancellationToken: cancellationToken);
        using var text = ClipTextModel.FromPretrained(Path.Combine(tinySd, "text_encoder"), cancellationToken: cancellationToken);
        using var model = LoadModel(golden);
        unet.SetTrainable(false);
        vae.SetTrainable(false);
        text.SetTrainable(false);
        model.Llm.SetTrainable(false);
        model.Mapper.SetTrainable(false);
        var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Load(Path.Combine(tinySd, "scheduler", "scheduler_config.json")));
        var ldm = new LatentDiffusionLoss(unet, vae, scheduler);
        var folder = Path.Combine(Path.GetTempPath(), $"minigpt5-bench-train-{Environment.ProcessId}-{stage}");
        var options = new MiniGpt5StageOptions { OutputDirectory = folder, BatchSize = 2, LearningRate = 1e-4, WarmupSteps = 0, CheckpointEvery = 0, Resume = false };
        using var lora = stage == 2 ? new LlamaLora(model.Llm.Config, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj"] }) : null;
        MiniGpt5StageTask task;
        if (lora is null)
        {
            var captions = new CaptionEncoder(text, ClipTokenizer.Load(Path.Combine(repo, "tests", "data", "text", "clip-sd2")));
            task = new MiniGpt5StageTask(model, ldm, captions, new MiniGpt5StageSettings());
        }
        else
        {
            lora.InitializeWeights(new Generator(7));
            model.Llm.ApplyLora(lora, merge: false);
            task = new MiniGpt5StageTask(model, ldm, null, MiniGpt5StageSettings.Stage2Defaults);
        }

        var (groups, masks) = lora is null ? MiniGpt5Training.Stage1Parameters(model, options) : MiniGpt5Training.Stage2Parameters(model, lora, options);
        var source = new FixedBatchSource(Path.Combine(golden, "stage.safetensors"));
        model.Llm.Train(true);
        model.Mapper.Train(true);
        try
        {
            await MiniGpt5Training.CreateTrainer(task, groups, masks, source, null, options with { Steps = 1 }).RunAsync(null, cancellationToken);
            var best = double.MaxValue;
            for (var r = 0; r < s.Repeats; r++)
            {
                Directory.Delete(folder, recursive: true);
                var rate = 0.0;
                var trainer = MiniGpt5Training.CreateTrainer(task, groups, masks, source, null, options with { Steps = s.Steps });
                await trainer.RunAsync(new RateProbe(p => rate = p.Checkpoint is null ? p.StepsPerSecond : rate), cancellationToken);
                best = Math.Min(best, 1 / rate);
            }

            return best;
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static MiniGpt5Model LoadModel(string golden)
    {
        var llmFolder = Path.Combine(golden, "llm");
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(Path.Combine(llmFolder, "tokenizer.json"));
        var llm = LlamaForCausalLM.Load(llmFolder, new LlamaLoadOptions { WeightDType = DType.Float32 });
        var config = new VokenMapperConfig { LlmHidden = 32, Width = 32, Heads = 4, EncoderLayers = 1, DecoderLayers = 1, FeedForward = 64, Queries = 77 };
        var mapper = new FeatureMapper(config);
        ModuleFiles.Load(mapper, Path.Combine(golden, "mapper.safetensors"));
        return new MiniGpt5Model(
            new MiniGpt5ModelConfig
            {
                Folder = golden, LlmFolder = llmFolder, TokenizerPath = Path.Combine(llmFolder, "tokenizer.json"),
                Stage1Checkpoint = Path.Combine(golden, "mapper.safetensors"), Mapper = config, BosTokenId = 1,
            },
            tokenizer, llm, null, mapper);
    }

    private static void Report(Settings s, TextWriter log, string name, double ours, string? anchorName, double? anchor)
    {
        if (anchorName is null || anchor is null)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} ours {ours,12:G5} {"steps/s",-10} (no anchor)"));
            return;
        }

        var result = BenchResult.HigherIsBetter(name, "steps/s", ours, anchorName, anchor.Value);
        Console.WriteLine(s.Json ? result.ToJson() : result.ToText());
    }

    private sealed record Settings(bool Json, int Threads, int Steps, int Repeats, string Python, bool NoTorch, string? ReferenceDir);

    private sealed class RateProbe(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>The recipe goldens' batch (ids, labels, mask, images of two samples), a fresh copy per step.</summary>
    private sealed class FixedBatchSource(string path) : IBatchSource<MiniGpt5Batch>
    {
        private static readonly string[] Captions = ["a red on the left", "the red"];

        public int Count => 2;

        public Task<MiniGpt5Batch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
        {
            using var set = CheckpointSet.Open(path, cancellationToken: cancellationToken);
            Tensor Read(string key)
            {
                var t = set[key];
                using var view = Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
                return view.Clone().DetachFromScope();
            }

            var ids = Read("0.ids");
            var labels = Read("0.labels");
            var length = ids.Shape[1];
            var idRows = ids.ToArray<long>();
            var labelRows = labels.ToArray<long>();
            var samples = Enumerable.Range(0, 2).Select(b => new TokenizedSample(
                idRows.Skip(b * length).Take(length).Select(i => (int)i).ToArray(),
                labelRows.Skip(b * length).Take(length).Select(i => (int)i).ToArray(),
                new MiniGpt5Example("source", "target", [], null, Captions[b], $"golden_{b}"))).ToList();
            return Task.FromResult(new MiniGpt5Batch(ids, labels, Read("0.mask"), [], Read("0.images"), samples));
        }
    }
}
