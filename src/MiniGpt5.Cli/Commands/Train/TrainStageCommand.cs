using System.CommandLine;
using System.Globalization;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>
/// `minigpt5 train stage1|stage2`: MiniGPT-5's unimodal alignment (CC3M-format captions, from a LLaMA folder and a
/// Stable Diffusion folder) and multimodal learning (VIST-format stories, from a stage-1 model folder). Each writes
/// OUT/model, a MiniGPT-5 folder `--model` accepts, and resumes from OUT/checkpoints when run again.
/// </summary>
internal static class TrainStageCommand
{
    public static Command Create(int stage)
    {
        var defaults = new MiniGpt5StageOptions { OutputDirectory = "." };
        var model = new Option<string>("--model")
        {
            Description = stage == 1 ? "Hugging Face LLaMA folder (config.json, weights, tokenizer.model or tokenizer.json)." : "Stage-1 MiniGPT-5 folder (minigpt5.json naming its stage-1 checkpoint).",
            Required = true,
        };
        var sd = new Option<string?>("--sd") { Description = "Stable Diffusion folder (diffusers layout); stage 1 only — stage 2 uses the model folder's." };
        var data = new Option<string>("--data")
        {
            Description = stage == 1 ? "CC3M-format folder with cc3m_train.tsv (and optionally cc3m_val.tsv); image paths relative to it." : "VIST-format folder with train_cleaned.json + train_image_mapping.json (val_* optional).",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Run folder: checkpoints/ (resumable) and model/ (the result).", Required = true };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => defaults.Steps };
        var batch = new Option<int>("--batch-size") { Description = "Samples per micro-batch.", DefaultValueFactory = _ => defaults.BatchSize };
        var accumulation = new Option<int>("--accumulation") { Description = "Micro-batches per step (the release: 48 / (2 × GPUs)).", DefaultValueFactory = _ => defaults.AccumulationSteps };
        var rate = new Option<double>("--lr") { Description = "Base learning rate (stage 1: fc, queries and mapper ×10).", DefaultValueFactory = _ => defaults.LearningRate };
        var warmup = new Option<long>("--warmup") { Description = "Warmup steps (capped at a tenth of the run).", DefaultValueFactory = _ => defaults.WarmupSteps };
        var seed = new Option<ulong>("--seed") { Description = "Seed of data order, initialisation and every random draw.", DefaultValueFactory = _ => defaults.Seed };
        var noCap = new Option<bool>("--no-cap") { Description = "Stage 1 without the caption-alignment (CAP) loss." };
        var noFlip = new Option<bool>("--no-flip") { Description = "Never flip target images (needed when captions say left/right)." };
        var clip = new Option<double?>("--max-grad-norm") { Description = "Clip the global gradient norm (the release does not)." };
        var mapperLayers = new Option<int>("--mapper-layers") { Description = "Stage 1: encoder and decoder layers of a new mapper (the release: 4).", DefaultValueFactory = _ => 4 };
        var mapperHeads = new Option<int>("--mapper-heads") { Description = "Stage 1: attention heads of a new mapper (the release: 8).", DefaultValueFactory = _ => 8 };
        var command = new Command(
            stage == 1 ? "stage1" : "stage2",
            stage == 1
                ? "MiniGPT-5 stage 1 (unimodal alignment): new token rows, fc, queries and mapper on caption–image pairs; loss 0.01·text + LDM + 0.1·CAP."
                : "MiniGPT-5 stage 2 (multimodal learning): LoRA on q/v, new token rows and the mapper on stories; loss 0.01·text + LDM.")
        {
            model, sd, data, output, steps, batch, accumulation, rate, warmup, seed, noCap, noFlip, clip, mapperLayers, mapperHeads,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var settings = stage == 1
                ? new MiniGpt5StageSettings { UseCaptionLoss = !parse.GetValue(noCap) }
                : MiniGpt5StageSettings.Stage2Defaults;
            var options = defaults with
            {
                OutputDirectory = parse.GetValue(output)!,
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batch),
                AccumulationSteps = parse.GetValue(accumulation),
                LearningRate = parse.GetValue(rate),
                WarmupSteps = parse.GetValue(warmup),
                Seed = parse.GetValue(seed),
                Settings = settings,
                RandomFlip = !parse.GetValue(noFlip),
                MaxGradNorm = parse.GetValue(clip),
            };
            var progress = new ProgressLines(stderr);
            try
            {
                var folder = parse.GetValue(data)!;
                var templates = new TemplateChooser(options.Seed);
                string result;
                if (stage == 1)
                {
                    var sdFolder = parse.GetValue(sd) ?? throw new ArgumentException("stage 1 needs --sd, the Stable Diffusion folder whose UNet the images are trained through.");
                    var train = await Cc3mDataset.LoadAsync(Require(folder, "cc3m_train.tsv"), folder, training: true, templates, cancellationToken);
                    var val = File.Exists(Path.Combine(folder, "cc3m_val.tsv"))
                        ? await Cc3mDataset.LoadAsync(Path.Combine(folder, "cc3m_val.tsv"), folder, training: false, templates, cancellationToken)
                        : null;
                    var llmConfig = Models.Llama.LlamaConfig.Load(parse.GetValue(model)!);
                    var unet = Models.StableDiffusion.DiffusersConfig.Load(Path.Combine(sdFolder, "unet", "config.json"));
                    var text = Path.Combine(sdFolder, "text_encoder", "config.json");
                    var length = File.Exists(text) ? Models.StableDiffusion.DiffusersConfig.Load(text).GetInt("max_position_embeddings") : 77;
                    var mapper = MiniGpt5Training.MapperFor(llmConfig.HiddenSize, unet.GetInt("cross_attention_dim"), length, parse.GetValue(mapperLayers), parse.GetValue(mapperHeads));
                    result = await MiniGpt5Training.Stage1Async(parse.GetValue(model)!, sdFolder, train, val, mapper, options, progress, cancellationToken);
                }
                else
                {
                    var config = MiniGpt5ModelConfig.Load(parse.GetValue(model)!);
                    var train = await VistDataset.LoadAsync(Require(folder, "train_cleaned.json"), folder, training: true, templates, cancellationToken);
                    var val = File.Exists(Path.Combine(folder, "val_cleaned.json"))
                        ? await VistDataset.LoadAsync(Path.Combine(folder, "val_cleaned.json"), folder, training: false, templates, cancellationToken)
                        : null;
                    if (config.Vision is null)
                    {
                        // A text-only model: drop the image slots and the understanding task.
                        train = TextOnlyExamples.From(train);
                        val = val is null ? null : TextOnlyExamples.From(val);
                    }

                    result = await MiniGpt5Training.Stage2Async(config.Folder, train, val, options, progress, cancellationToken);
                }

                await parse.InvocationConfiguration.Output.WriteLineAsync(result);
                return 0;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("cancelled; run the same command again to resume from the last checkpoint.");
                return 1;
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or MiniGpt5ModelException or DatasetFormatException
                or Models.Llama.LlamaConfigException or Models.StableDiffusion.StableDiffusionModelException or Tensors.Serialization.CheckpointKeyMismatchException
                or Text.TokenizerFormatException or TrainingDivergedException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return e is TrainingDivergedException ? 1 : 2;
            }
        });
        return command;
    }

    private static string Require(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"'{folder}' has no {name}.", path);
    }

    /// <summary>One line per 10 steps, validation or checkpoint.</summary>
    private sealed class ProgressLines(TextWriter writer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Step % 10 != 0 && p.ValidationLoss is null && p.Checkpoint is null && p.Step != p.TotalSteps)
            {
                return;
            }

            var parts = string.Join(" ", p.Components.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value:F4}")));
            var validation = p.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $" val {v:F4}") : string.Empty;
            var saved = p.Checkpoint is { } c ? $" saved {c}" : string.Empty;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{DateTime.UtcNow:HH:mm:ss}] step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {parts} lr {p.LearningRate:G3} {p.StepsPerSecond:F2} step/s{validation}{saved}"));
            writer.Flush();
        }
    }
}
