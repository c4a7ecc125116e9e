using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.LatentDiffusion;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>
/// `minigpt5 train nano-sd`: trains MiniGPT-5-nano's latent-diffusion model (VAE, then text encoder + UNet) from
/// scratch on the nano world and writes a diffusers folder (the shipped one is models/nano/stable-diffusion).
/// </summary>
internal static class TrainNanoSdCommand
{
    public static Command Create()
    {
        var defaults = new NanoSdTrainingOptions { OutputDirectory = "." };
        var output = new Option<string>("--out") { Description = "Run folder: checkpoints of both phases, tokenizer, and the exported model.", Required = true };
        var export = new Option<string?>("--export") { Description = "Where to write the diffusers folder. Default: OUT/stable-diffusion." };
        var steps = new Option<long>("--steps") { Description = "Text encoder + UNet optimizer steps.", DefaultValueFactory = _ => defaults.Steps };
        var vaeSteps = new Option<long>("--vae-steps") { Description = "Autoencoder optimizer steps.", DefaultValueFactory = _ => defaults.VaeSteps };
        var batch = new Option<int>("--batch-size") { Description = "Text encoder + UNet batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var vaeBatch = new Option<int>("--vae-batch-size") { Description = "Autoencoder batch size.", DefaultValueFactory = _ => defaults.VaeBatchSize };
        var vaeCrop = new Option<int>("--vae-crop") { Description = "Side of the random crop the autoencoder trains on (0: whole 64x64 images).", DefaultValueFactory = _ => defaults.VaeCrop };
        var vaeRate = new Option<double>("--vae-lr") { Description = "Autoencoder peak learning rate.", DefaultValueFactory = _ => defaults.VaeLearningRate };
        var rate = new Option<double>("--lr") { Description = "Text encoder + UNet peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights, data order and every random draw.", DefaultValueFactory = _ => defaults.Seed };
        var captions = new Option<int>("--captions") { Description = "Training caption samples of the nano world.", DefaultValueFactory = _ => defaults.Captions };
        var stories = new Option<int>("--stories") { Description = "Training stories whose steps are added as pairs.", DefaultValueFactory = _ => defaults.Stories };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Checkpoint every N steps in each phase.", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var resume = new Option<bool>("--resume") { Description = "Continue from the latest checkpoints in OUT." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads of the engine. Default: all cores." };
        var profile = new Option<bool>("--profile") { Description = "Print the time per op kind (forward and backward) at the end." };
        var evaluate = new Option<int>("--evaluate")
        {
            Description = "After training (or --export-latest), judge this many images generated from held-out test captions, with and without guidance.",
        };
        var evaluateOnly = new Option<bool>("--evaluate-only") { Description = "Only evaluate the folder given by --export (or OUT/stable-diffusion)." };
        var saveImages = new Option<string?>("--save-images") { Description = "Write the evaluated images as PNG to this folder (g<scale>-<index>.png, with a captions.tsv)." };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale of the guided evaluation.", DefaultValueFactory = _ => 3.0 };
        var exportLatest = new Option<bool>("--export-latest") { Description = "Only export the diffusers folder from OUT's latest checkpoints (works while a run goes on)." };

        var command = new Command(
            "nano-sd",
            "Train MiniGPT-5-nano's latent-diffusion model from scratch (64x64 images, 16x16x4 latents): the VAE, then the CLIP " +
            "text encoder and UNet together with min-SNR weighting and 10% caption dropout for guidance. Deterministic from --seed.")
        {
            output, export, steps, vaeSteps, batch, vaeBatch, vaeCrop, vaeRate, rate, seed, captions, stories, checkpointEvery, resume, threads, exportLatest, profile, evaluate, evaluateOnly, guidance, saveImages,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new NanoSdTrainingOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                ExportDirectory = parse.GetValue(export),
                Steps = parse.GetValue(steps),
                VaeSteps = parse.GetValue(vaeSteps),
                BatchSize = parse.GetValue(batch),
                VaeBatchSize = parse.GetValue(vaeBatch),
                LearningRate = parse.GetValue(rate),
                VaeCrop = parse.GetValue(vaeCrop),
                VaeLearningRate = parse.GetValue(vaeRate),
                Seed = parse.GetValue(seed),
                Captions = parse.GetValue(captions),
                Stories = parse.GetValue(stories),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Resume = parse.GetValue(resume),
            };
            AutogradProfiler.Enabled = parse.GetValue(profile);
            var evaluation = new Evaluation(parse.GetValue(evaluate), parse.GetValue(evaluateOnly), parse.GetValue(guidance), parse.GetValue(saveImages));
            return await RunAsync(options, parse.GetValue(threads), parse.GetValue(exportLatest), evaluation, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(NanoSdTrainingOptions options, int? threads, bool exportLatest, Evaluation evaluation, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (options.Steps < 0 || options.VaeSteps < 0 || options.BatchSize < 1 || options.VaeBatchSize < 1 || options.Captions < 1 || options.Stories < 0 || options.CheckpointEvery < 1)
        {
            await stderr.WriteLineAsync("error: --steps and --vae-steps must be zero or more; --batch-size, --vae-batch-size, --captions and --checkpoint-every at least 1; --stories zero or more.");
            return 2;
        }

        if (threads is { } count)
        {
            if (count < 1)
            {
                await stderr.WriteLineAsync($"error: --threads must be at least 1 (got {count}).");
                return 2;
            }

            CpuBackend.Threads = count;
        }

        var clock = Stopwatch.StartNew();
        if (evaluation.Only)
        {
            await EvaluateAsync(options.ExportFolder, evaluation, stdout, cancellationToken);
            return 0;
        }

        if (exportLatest)
        {
            var (vaeStep, step) = await NanoSdTraining.ExportLatestAsync(options, cancellationToken);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"exported {options.ExportFolder} from vae step {vaeStep} and text-to-image step {step}"));
            await EvaluateAsync(options.ExportFolder, evaluation, stdout, cancellationToken);
            return 0;
        }

        using (await NanoSdTraining.RunAsync(options, stdout, cancellationToken))
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed.TotalMinutes:F1} min: {options.ExportFolder}"));
        }

        await EvaluateAsync(options.ExportFolder, evaluation, stdout, cancellationToken);
        if (AutogradProfiler.Enabled)
        {
            await stdout.WriteLineAsync(AutogradProfiler.Report());
        }
        return 0;
    }

    private static async Task EvaluateAsync(string folder, Evaluation evaluation, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (evaluation.Count <= 0)
        {
            return;
        }

        using var pipeline = StableDiffusionPipeline.Load(folder, cancellationToken: cancellationToken);
        foreach (var scale in new[] { evaluation.Guidance, 1.0 })
        {
            var clock = Stopwatch.StartNew();
            var images = new List<(string Name, string Caption, Imaging.Image Image, bool Matches)>();
            var summary = NanoSdEvaluator.Evaluate(
                pipeline, evaluation.Count, scale,
                onImage: evaluation.ImageFolder is null ? null : (i, caption, image, judgement) => images.Add((string.Create(CultureInfo.InvariantCulture, $"g{scale:G3}-{i:D3}.png"), caption, image, judgement.Matches)),
                cancellationToken: cancellationToken);
            if (evaluation.ImageFolder is { } imageFolder)
            {
                Directory.CreateDirectory(imageFolder);
                foreach (var (name, _, image, _) in images)
                {
                    await Imaging.ImageCodec.SaveAsync(image, Path.Combine(imageFolder, name), cancellationToken);
                }

                await File.AppendAllLinesAsync(Path.Combine(imageFolder, "captions.tsv"), images.Select(e => $"{e.Name}\t{e.Matches}\t{e.Caption}"), cancellationToken);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"guidance {scale:G3} ({NanoSdEvaluator.Scheduler}, {NanoSdEvaluator.DefaultSteps} steps, {clock.Elapsed.TotalSeconds / evaluation.Count:F2} s/image): {summary}"));
        }
    }

    private sealed record Evaluation(int Count, bool Only, double Guidance, string? ImageFolder);
}
