using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Durable;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Schedules;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.DatasetRun;

/// <summary>
/// `minigpt5 dataset run SCHEDULE`: one run of a dataset schedule now, in-process (like `illustrate`): images and
/// manifest.jsonl under datasets/{schedule}/{runId}/, copied to --out. `--seed` reproduces an earlier run exactly
/// (its seed is on every manifest line).
/// </summary>
internal static class DatasetRunCommand
{
    public static Command Create()
    {
        var schedule = new Argument<string>("schedule") { Description = "A schedule file (.json), or the name of one in MiniGpt5__SchedulesPath." };
        var runId = new Option<string?>("--run-id") { Description = "Run id (letters, digits, '-', '_'). Default: manual-{UTC time}." };
        var seed = new Option<uint?>("--seed") { Description = "The run's seed (default: derived from the schedule's seed and the run id)." };
        var output = new Option<string>("--out") { Description = "Where the run folder is copied.", DefaultValueFactory = _ => "datasets" };
        var model = new Option<string?>("--model") { Description = "'nano' or a MiniGPT-5 model folder. Default: MiniGpt5__Model, else nano." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (no progress bar)." };
        var app = new AppOptions();
        var command = new Command("run", "Run a dataset-generation schedule once, now.") { schedule, runId, seed, output, model, json };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            MiniGpt5Settings settings;
            DatasetSchedule definition;
            string id;
            try
            {
                settings = app.Load(parse, parse.GetValue(model)) with { TaskQueues = ["default", "gpu"] };
                var name = parse.GetValue(schedule)!;
                var file = File.Exists(name) ? name : Path.Combine(settings.SchedulesPath, name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json");
                if (!File.Exists(file))
                {
                    return await AppOptions.BadInputAsync(stderr, $"no schedule '{name}' (looked for '{Path.GetFullPath(file)}').");
                }

                definition = await DatasetScheduleLoader.LoadFileAsync(file, cancellationToken);
                id = parse.GetValue(runId) ?? "manual-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    return await AppOptions.BadInputAsync(stderr, $"--run-id '{id}' must be 1-64 letters, digits, '-' or '_'.");
                }

                ModelLocator.Resolve(settings.Model);
            }
            catch (Exception e) when (e is SettingsException or FormatException or ModelUnavailableException)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }

            var asJson = parse.GetValue(json);
            try
            {
                await using var host = await AppOptions.StartHostAsync(settings, new IllustrationHostOptions(), cancellationToken);
                var (instanceId, _) = await host.Scheduler.StartAsync(definition, id, parse.GetValue(seed), cancellationToken);
                var done = await ProgressDisplay.RunAsync(asJson, stderr, async progress =>
                {
                    while (true)
                    {
                        var status = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
                        if (status?.ReadCustomStatusAs<ManuscriptProgress>() is { } p)
                        {
                            progress.Report([new ManuscriptStatusView(instanceId, definition.Name, $"{definition.Name} {id}",
                                status.IsCompleted ? (status.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? ProgressPhase.Completed : ProgressPhase.Failed) : p.Phase,
                                p.Done, p.Failed, p.Total)]);
                        }

                        if (status?.IsCompleted == true)
                        {
                            return status;
                        }

                        await Task.Delay(250, cancellationToken);
                    }
                });

                if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    await stderr.WriteLineAsync($"failed: {instanceId}: {done.FailureDetails?.ErrorMessage ?? done.RuntimeStatus.ToString()}");
                    return 1;
                }

                var result = done.ReadOutputAs<DatasetRunOutput>()!;
                var folder = await LocalIllustrationRunner.ExportAsync(host.Account.Blobs, result.Location,
                    Path.GetFullPath(Path.Combine(parse.GetValue(output)!, result.Schedule, result.RunId)), cancellationToken);
                var manifest = folder is null ? null : Path.Combine(folder, DatasetManifest.FileName);
                await stdout.WriteLineAsync(asJson
                    ? JsonSerializer.Serialize(new { id = instanceId, schedule = result.Schedule, runId = result.RunId, runSeed = result.RunSeed, done = result.Done, failed = result.Failed, total = result.Total, manifest })
                    : string.Create(CultureInfo.InvariantCulture, $"{result.Done}/{result.Total} images (run seed {result.RunSeed}): {manifest}"));
                return result.Done == result.Total ? 0 : 1;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("interrupted; run the same command with the same --run-id to resume.");
                return 1;
            }
            catch (SettingsException e)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }
        });
        return command;
    }
}
