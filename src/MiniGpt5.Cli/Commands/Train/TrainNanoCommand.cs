using System.CommandLine;
using MiniGpt5.Training.LatentDiffusion;
using MiniGpt5.Training.Recipe;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>`minigpt5 train nano`: MiniGPT-5-nano from scratch (see src/MiniGpt5.Training/Recipe/README.md).</summary>
internal static class TrainNanoCommand
{
    private static readonly string[] Phases = ["pretrain", "stage1", "stage2", "export"];

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder (phases already finished there are skipped; an unfinished one resumes).", DefaultValueFactory = _ => "runs/nano" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data, the initialisation and every random draw.", DefaultValueFactory = _ => 0 };
        var sd = new Option<string?>("--sd") { Description = "Use this trained nano Stable Diffusion folder (diffusers layout). Default: train one first, as `minigpt5 train nano-sd` does, into OUT/work/nano-sd." };
        var stopAfter = new Option<string?>("--stop-after") { Description = "Stop after this phase: " + string.Join(", ", Phases) + " (by default the ablations run after the export)." };
        stopAfter.AcceptOnlyFromAmong(Phases);
        var pretrainSteps = new Option<long?>("--pretrain-steps") { Description = "Override the LLM pre-training steps." };
        var stage1Steps = new Option<long?>("--stage1-steps") { Description = "Override the stage-1 steps." };
        var stage2Steps = new Option<long?>("--stage2-steps") { Description = "Override the stage-2 steps." };
        var ablation = new Option<string?>("--ablation") { Description = "Only train this ablation (" + string.Join(", ", NanoRecipe.Ablations) + ") into OUT/nano/ablations/NAME (the pre-trained LLM and the dataset must exist)." };
        ablation.AcceptOnlyFromAmong([.. NanoRecipe.Ablations]);
        var command = new Command("nano", "Build MiniGPT-5-nano from scratch: dataset → tokenizer → LLM pre-training → stage 1 → stage 2 → model folder.")
        {
            output, seed, sd, stopAfter, ablation, pretrainSteps, stage1Steps, stage2Steps,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var defaults = new NanoRecipeOptions();
            var options = defaults with
            {
                Seed = parse.GetValue(seed),
                PretrainSteps = parse.GetValue(pretrainSteps) ?? defaults.PretrainSteps,
                Stage1Steps = parse.GetValue(stage1Steps) ?? defaults.Stage1Steps,
                Stage2Steps = parse.GetValue(stage2Steps) ?? defaults.Stage2Steps,
            };
            var stderr = parse.InvocationConfiguration.Error;
            var log = new LineLog(stderr);
            var recipe = new NanoRecipe(options, parse.GetValue(output)!, log);
            var stop = parse.GetValue(stopAfter);
            try
            {
                await recipe.PretrainAsync(cancellationToken);
                if (stop == "pretrain")
                {
                    return 0;
                }

                var sdFolder = parse.GetValue(sd);
                if (sdFolder is null)
                {
                    // The latent-diffusion half from scratch with its own defaults (`minigpt5 train nano-sd`), same world seed.
                    var sdOptions = new NanoSdTrainingOptions
                    {
                        OutputDirectory = Path.Combine(recipe.OutputDirectory, "work", "nano-sd"), WorldSeed = options.Seed, Seed = options.Seed + 1, Resume = true,
                    };
                    if (!File.Exists(Path.Combine(sdOptions.ExportFolder, "model_index.json")))
                    {
                        using var trained = await NanoSdTraining.RunAsync(sdOptions, stderr, cancellationToken);
                    }

                    sdFolder = sdOptions.ExportFolder;
                }

                if (parse.GetValue(ablation) is { } name)
                {
                    await recipe.WriteDatasetAsync(cancellationToken);
                    await parse.InvocationConfiguration.Output.WriteLineAsync(
                        await recipe.AblationAsync(name, sdFolder, Path.Combine(recipe.OutputDirectory, "nano"), cancellationToken));
                    return 0;
                }

                var final = await recipe.RunStagesAsync(sdFolder, stop, cancellationToken);
                await parse.InvocationConfiguration.Output.WriteLineAsync(final);
                return 0;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("cancelled; run the same command again to resume from the last checkpoint.");
                return 1;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or Models.Interleaved.MiniGpt5ModelException
                or Training.Data.DatasetFormatException or Tensors.Serialization.CheckpointKeyMismatchException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Timestamped lines on stderr.</summary>
    private sealed class LineLog(TextWriter writer) : IProgress<string>
    {
        public void Report(string value)
        {
            writer.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {value}");
            writer.Flush();
        }
    }
}
