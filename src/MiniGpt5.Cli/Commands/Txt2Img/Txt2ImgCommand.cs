using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Models.StableDiffusion.Pipeline;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Text;
using Spectre.Console;

namespace MiniGpt5.Cli.Commands.Txt2Img;

/// <summary>
/// `minigpt5 txt2img --model DIR --prompt TEXT --out FILE.png [...]`: Stable Diffusion on its own (the paper's
/// baseline) from a diffusers folder such as stabilityai/stable-diffusion-2-1-base, with diffusers' defaults
/// (50 steps, guidance 7.5, the folder's scheduler, 512×512 for SD-2.1-base). Shows a progress bar on a terminal and one
/// line per tenth of the run otherwise. Exit codes: 0 written, 1 the generation failed or was cancelled, 2 bad
/// arguments or a model folder that cannot be used (the message names the file, field or key).
/// </summary>
internal static class Txt2ImgCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Diffusers Stable Diffusion folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "What to draw.", Required = true };
        var negative = new Option<string?>("--negative") { Description = "Negative prompt (default: the empty prompt, as diffusers)." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => 50 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale; 1 or less disables guidance.", DefaultValueFactory = _ => 7.5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the (torch-compatible) noise generator.", DefaultValueFactory = _ => 0 };
        var scheduler = new Option<string?>("--scheduler") { Description = $"One of {string.Join(", ", SchedulerFactory.Names)} (default: the folder's scheduler_config.json)." };
        scheduler.AcceptOnlyFromAmong([.. SchedulerFactory.Names]);
        var width = new Option<int?>("--width") { Description = "Image width, a multiple of 8 (default: the model's native size)." };
        var height = new Option<int?>("--height") { Description = "Image height, a multiple of 8 (default: the model's native size)." };
        var dtype = new Option<string>("--dtype") { Description = "Weights: f32 (default) or bf16 (half the memory; activations stay float32).", DefaultValueFactory = _ => "f32" };
        dtype.AcceptOnlyFromAmong("f32", "bf16");
        var eta = new Option<double>("--eta") { Description = "DDIM's eta (0 = deterministic).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "PNG file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object (no progress bar)." };
        var command = new Command("txt2img", "Generate an image from a prompt with a Stable Diffusion model folder.")
        {
            model, prompt, negative, steps, guidance, seed, scheduler, width, height, dtype, eta, output, force, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Txt2ImgArguments(
                parse.GetValue(model)!,
                parse.GetValue(prompt)!,
                parse.GetValue(negative),
                parse.GetValue(steps),
                parse.GetValue(guidance),
                parse.GetValue(seed),
                parse.GetValue(scheduler),
                parse.GetValue(width),
                parse.GetValue(height),
                parse.GetValue(dtype) == "bf16" ? DType.BFloat16 : DType.Float32,
                parse.GetValue(eta),
                parse.GetValue(output)!,
                parse.GetValue(force),
                parse.GetValue(json)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the command; see the class summary for exit codes.</summary>
    internal static async Task<int> RunAsync(Txt2ImgArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var output = Path.GetFullPath(a.Output);
        if (File.Exists(output) && !a.Force)
        {
            await stderr.WriteLineAsync($"minigpt5 txt2img: '{output}' exists; pass --force to replace it.");
            return 2;
        }

        if (!output.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            await stderr.WriteLineAsync($"minigpt5 txt2img: --out must name a .png file, not '{a.Output}'.");
            return 2;
        }

        if (a.Steps < 1 || a.Steps > 1000)
        {
            await stderr.WriteLineAsync($"minigpt5 txt2img: --steps must be between 1 and 1000, not {a.Steps}.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        StableDiffusionPipeline pipeline;
        try
        {
            pipeline = StableDiffusionPipeline.Load(a.Model, new StableDiffusionLoadOptions { WeightDType = a.WeightDType }, cancellationToken);
        }
        catch (Exception e) when (e is StableDiffusionModelException or CheckpointException or TokenizerFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            await stderr.WriteLineAsync($"minigpt5 txt2img: cannot use the model: {e.Message}");
            return 2;
        }

        var loadSeconds = clock.Elapsed.TotalSeconds;
        using (pipeline)
        {
            var request = new StableDiffusionRequest
            {
                Prompt = a.Prompt,
                NegativePrompt = a.Negative,
                Steps = a.Steps,
                GuidanceScale = a.Guidance,
                Seed = a.Seed,
                Scheduler = a.Scheduler,
                Width = a.Width,
                Height = a.Height,
                Eta = a.Eta,
            };
            StableDiffusionResult result;
            clock.Restart();
            try
            {
                result = a.Json || !AnsiConsole.Profile.Capabilities.Interactive
                    ? await Task.Run(() => pipeline.Generate(request, a.Json ? null : new LineProgress(stderr), cancellationToken), cancellationToken)
                    : await GenerateWithProgressBarAsync(pipeline, request, cancellationToken);
            }
            catch (ArgumentException e)
            {
                await stderr.WriteLineAsync($"minigpt5 txt2img: {e.Message}");
                return 2;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("minigpt5 txt2img: cancelled; nothing was written.");
                return 1;
            }

            using (result)
            {
                var seconds = clock.Elapsed.TotalSeconds;
                await WriteAtomicallyAsync(output, PngEncoder.Encode(result.Image), cancellationToken);
                foreach (var warning in result.Warnings)
                {
                    await stderr.WriteLineAsync($"minigpt5 txt2img: warning: {warning}");
                }

                if (a.Json)
                {
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        output,
                        width = result.Image.Width,
                        height = result.Image.Height,
                        steps = a.Steps,
                        scheduler = a.Scheduler ?? pipeline.SchedulerConfig.ClassName,
                        seed = a.Seed,
                        guidance = a.Guidance,
                        load_seconds = loadSeconds,
                        generate_seconds = seconds,
                    }));
                }
                else
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"wrote {output} ({result.Image.Width}x{result.Image.Height}) in {seconds:F1} s after {loadSeconds:F1} s loading"));
                }
            }
        }

        return 0;
    }

    private static Task<StableDiffusionResult> GenerateWithProgressBarAsync(StableDiffusionPipeline pipeline, StableDiffusionRequest request, CancellationToken cancellationToken) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var denoise = context.AddTask("denoising");
                var decode = context.AddTask("decoding", autoStart: false, maxValue: 1);
                var progress = new BarProgress(denoise, decode);
                return await Task.Run(() => pipeline.Generate(request, progress, cancellationToken), cancellationToken);
            });

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Moves the Spectre bars: one per denoising step, then the decode.</summary>
    private sealed class BarProgress(ProgressTask denoise, ProgressTask decode) : IProgress<StableDiffusionProgress>
    {
        public void Report(StableDiffusionProgress value)
        {
            if (value.Phase == "decode")
            {
                decode.StartTask();
                decode.Value = decode.MaxValue;
                return;
            }

            denoise.MaxValue = value.TotalSteps;
            denoise.Value = value.Step;
            if (value.Step == value.TotalSteps)
            {
                decode.StartTask();
            }
        }
    }

    /// <summary>Plain progress for logs and pipes: a line at every tenth of the run.</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<StableDiffusionProgress>
    {
        private int _lastTenth = -1;

        public void Report(StableDiffusionProgress value)
        {
            if (value.Phase == "decode")
            {
                writer.WriteLine("decoded the latents");
                return;
            }

            var tenth = value.Step * 10 / value.TotalSteps;
            if (tenth != _lastTenth)
            {
                _lastTenth = tenth;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {value.Step}/{value.TotalSteps} (t = {value.Timestep:0.###})"));
            }
        }
    }
}
