using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Training.Recipe;

namespace MiniGpt5.Cli.Commands.Eval;

/// <summary>
/// `minigpt5 eval nano`: MiniGPT-5-nano on held-out stories — judged attribute accuracy of the step images, text
/// perplexity, and the paper's ablations (without stage 1, without the CAP loss: the models under MODEL/ablations/;
/// without guidance: the same model drawn at guidance 1), every row measured in this run.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate models.");
        command.Subcommands.Add(CreateNano());
        return command;
    }

    private static Command CreateNano()
    {
        var model = new Option<string>("--model") { Description = "MiniGPT-5-nano folder; its ablations/*/ folders are evaluated too.", DefaultValueFactory = _ => "models/nano" };
        var stories = new Option<int>("--stories") { Description = "Held-out (test-split) stories to illustrate.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "PNDM denoising steps per image.", DefaultValueFactory = _ => 25 };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale of the guided rows.", DefaultValueFactory = _ => 7.5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the held-out stories and of the sampling.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON object per row." };
        var command = new Command("nano", "Judged attribute accuracy, text perplexity and ablations of MiniGPT-5-nano on held-out stories.")
        {
            model, stories, steps, guidance, seed, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folder = parse.GetValue(model)!;
            var scale = parse.GetValue(guidance);
            try
            {
                var evaluator = new NanoEvaluator(parse.GetValue(seed), parse.GetValue(stories), parse.GetValue(steps));
                var log = new Progress(stderr);
                var variants = new List<(string Name, string Folder, double[] Guidances)> { ("full", folder, [scale, 1.0]) };
                var ablations = Path.Combine(folder, "ablations");
                if (Directory.Exists(ablations))
                {
                    variants.AddRange(Directory.EnumerateDirectories(ablations).Order(StringComparer.Ordinal)
                        .Where(d => File.Exists(Path.Combine(d, MiniGpt5ModelConfig.FileName)))
                        .Select(d => (Path.GetFileName(d), d, new[] { scale })));
                }

                var rows = new List<NanoEvaluationRow>();
                foreach (var (name, path, scales) in variants)
                {
                    using var pipeline = MiniGpt5Pipeline.Load(path, cancellationToken: cancellationToken);
                    var perplexity = evaluator.TextPerplexity(pipeline.Model);
                    foreach (var g in scales)
                    {
                        var row = await evaluator.EvaluateAsync(name, pipeline, g, perplexity, log, cancellationToken);
                        rows.Add(row);
                        if (parse.GetValue(json))
                        {
                            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                            {
                                variant = row.Variant, guidance = row.Guidance, steps = row.Steps, step_accuracy = row.StepAccuracy,
                                attribute_accuracy = row.AttributeAccuracy, voken_rate = row.VokenRate, text_perplexity = row.TextPerplexity,
                                seconds = Math.Round(row.Seconds, 1),
                            }));
                        }
                    }
                }

                if (!parse.GetValue(json))
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"MiniGPT-5-nano on {evaluator.Stories.Count} held-out stories ({rows[0].Steps} steps), {parse.GetValue(steps)} PNDM steps per image"));
                    await stdout.WriteLineAsync("| variant | guidance | step accuracy | attribute accuracy | voken rate | text perplexity |");
                    await stdout.WriteLineAsync("|---|---|---|---|---|---|");
                    foreach (var r in rows)
                    {
                        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"| {r.Variant} | {r.Guidance:0.##} | {r.StepAccuracy:P1} | {r.AttributeAccuracy:P1} | {r.VokenRate:P0} | {r.TextPerplexity:F3} |"));
                    }
                }

                return 0;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("cancelled.");
                return 1;
            }
            catch (Exception e) when (e is IOException or MiniGpt5ModelException or Tensors.Serialization.CheckpointKeyMismatchException
                or Models.StableDiffusion.StableDiffusionModelException or Text.TokenizerFormatException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Timestamped progress lines on stderr.</summary>
    private sealed class Progress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value)
        {
            writer.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {value}");
            writer.Flush();
        }
    }
}
