using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Dataset;

namespace MiniGpt5.Cli.Commands.Dataset;

/// <summary>
/// `minigpt5 dataset nano`: writes the procedural picture-story world (src/MiniGpt5.Training/NanoWorld) in the
/// CC3M and VIST layouts the trainer reads.
/// </summary>
internal static class DatasetCommand
{
    // Below this many images a run takes a second or two and a progress line would only flicker.
    private const int ProgressThresholdImages = 1000;

    public static Command Create()
    {
        var command = new Command("dataset", "Generate training and evaluation datasets.");
        command.Subcommands.Add(CreateNano());
        command.Subcommands.Add(DatasetRun.DatasetRunCommand.Create());
        return command;
    }

    private static Command CreateNano()
    {
        var count = new Option<int>("--count")
        {
            Description = "CC3M-style caption-image pairs to write (for the train split when --split is not given).",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Dataset folder (created if missing).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generator.", DefaultValueFactory = _ => 0 };
        var stories = new Option<int?>("--stories")
        {
            Description = "VIST-style stories (3-5 steps each) to write. Default: count / 4.",
        };
        var split = new Option<string?>("--split")
        {
            Description = "Write only this split (train, val or test) with the counts given. Default: train with the counts given, " +
                "val and test with a twentieth of them each (at least 1).",
        };
        split.AcceptOnlyFromAmong("train", "val", "test");
        var force = new Option<bool>("--force") { Description = "Write into a non-empty folder, replacing the files of the splits written." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };

        var command = new Command(
            "nano",
            "Write the nano picture-story world: OUT/CC3M/cc3m_{split}.tsv + images, OUT/VIST/{split}_cleaned.json + " +
            "{split}_image_mapping.json + images. Splits are disjoint by content: a held-out story never occurs in training data.")
        {
            count, output, seed, stories, split, force, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(count),
            parse.GetValue(output)!,
            parse.GetValue(seed),
            parse.GetValue(stories),
            parse.GetValue(split),
            parse.GetValue(force),
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        int count, string output, ulong seed, int? stories, string? split, bool force, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (count < 0 || stories < 0)
        {
            await stderr.WriteLineAsync($"error: --count ({count}) and --stories ({stories}) must be zero or more.");
            return 2;
        }

        var storyCount = stories ?? (count / 4);
        IReadOnlyList<NanoSplitRequest> splits = split is null
            ? [
                new NanoSplitRequest(NanoSplit.Train, count, storyCount),
                new NanoSplitRequest(NanoSplit.Val, HeldOut(count), HeldOut(storyCount)),
                new NanoSplitRequest(NanoSplit.Test, HeldOut(count), HeldOut(storyCount)),
            ]
            : [new NanoSplitRequest(NanoSplits.Parse(split), count, storyCount)];

        var total = splits.Sum(s => s.Captions + (s.Stories * 4));
        var progress = total >= ProgressThresholdImages ? NewProgress(stderr) : null;
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(output, seed, splits, force), progress, cancellationToken);
            progress?.Finish();
            if (json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    output = result.OutputDirectory,
                    world_version = NanoWorldInfo.Version,
                    seed,
                    images = result.Images,
                    seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
                    splits = result.Splits.Select(s => new
                    {
                        split = NanoSplits.Name(s.Split),
                        captions = s.Captions,
                        stories = s.Stories,
                        story_images = s.StoryImages,
                        cc3m_tsv = s.Cc3mTsv,
                        vist_json = s.VistJson,
                        vist_image_mapping = s.VistImageMapping,
                        manifest = s.Manifest,
                    }),
                }));
            }
            else
            {
                foreach (var s in result.Splits)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{NanoSplits.Name(s.Split)}: {s.Captions} captions, {s.Stories} stories ({s.StoryImages} images)"));
                }

                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {result.Images} images to {result.OutputDirectory} in {clock.Elapsed.TotalSeconds:F1} s (seed {seed}, world v{NanoWorldInfo.Version})"));
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            progress?.Finish();
            await stderr.WriteLineAsync("cancelled; nothing was written under the final names.");
            return 1;
        }
        catch (NanoDatasetException e)
        {
            progress?.Finish();
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress?.Finish();
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    // A twentieth of the training count for each held-out split, at least 1 when training has any.
    private static int HeldOut(int train) => train == 0 ? 0 : Math.Max(1, train / 20);

    private static ProgressLine<NanoDatasetProgress> NewProgress(TextWriter stderr) => new(stderr, (value, elapsed) =>
    {
        var fraction = value.ImagesTotal == 0 ? 1 : value.ImagesWritten / (double)value.ImagesTotal;
        return (fraction, string.Create(CultureInfo.InvariantCulture,
            $"rendering: {value.ImagesWritten} of {value.ImagesTotal} images ({fraction:P0}), {value.ImagesWritten / Math.Max(elapsed.TotalSeconds, 1e-3):F0}/s"));
    });
}
