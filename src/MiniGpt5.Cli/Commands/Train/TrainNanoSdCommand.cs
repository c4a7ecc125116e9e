using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
        var rate = new Option<double>("--lr") { Description = "Text encoder + UNet peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights, data order and every random draw.", DefaultValueFactory = _ => defaults.Seed };
        var captions = new Option<int>("--captions") { Description = "Training caption samples of the nano world.", DefaultValueFactory = _ => defaults.Captions };
        var stories = new Option<int>("--stories") { Description = "Training stories whose steps are added as pairs.", DefaultValueFactory = _ => defaults.Stories };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Checkpoint every N steps in each phase.", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var resume = new Option<bool>("--resume") { Description = "Continue from the latest checkpoints in OUT." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads of the engine. Default: all cores." };
        var profile = new Option<bool>("--profile") { Description = "Print the time per op kind (forward and backward) at the end." };
        var exportLatest = new Option<bool>("--export-latest") { Description = "Only export the diffusers folder from OUT's latest checkpoints (works while a run goes on)." };

        var command = new Command(
            "nano-sd",
            "Train MiniGPT-5-nano's latent-diffusion model from scratch (64x64 images, 16x16x4 latents): the VAE, then the CLIP " +
            "text encoder and UNet together with min-SNR weighting and 10% caption dropout for guidance. Deterministic from --seed.")
        {
            output, export, steps, vaeSteps, batch, vaeBatch, rate, seed, captions, stories, checkpointEvery, resume, threads, exportLatest, profile,
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
                Seed = parse.GetValue(seed),
                Captions = parse.GetValue(captions),
                Stories = parse.GetValue(stories),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Resume = parse.GetValue(resume),
            };
            AutogradProfiler.Enabled = parse.GetValue(profile);
            return await RunAsync(options, parse.GetValue(threads), parse.GetValue(exportLatest), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(NanoSdTrainingOptions options, int? threads, bool exportLatest, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
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
        if (exportLatest)
        {
            var (vaeStep, step) = await NanoSdTraining.ExportLatestAsync(options, cancellationToken);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"exported {options.ExportFolder} from vae step {vaeStep} and text-to-image step {step}"));
            return 0;
        }

        using var model = await NanoSdTraining.RunAsync(options, stdout, cancellationToken);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed.TotalMinutes:F1} min: {options.ExportFolder}"));
        if (AutogradProfiler.Enabled)
        {
            await stdout.WriteLineAsync(AutogradProfiler.Report());
        }
        return 0;
    }
}
