using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.Illustrate;

/// <summary>
/// `minigpt5 illustrate FILE|DIR`: the whole service in one process (embedded durable backend, an in-process
/// worker with the model), a progress bar per manuscript, and the books copied to --out. Interrupted, the same
/// command resumes the runs; a book already made is found again, not repainted.
/// </summary>
internal static class IllustrateCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A manuscript (.md, .txt, .json, .jsonl) or a folder of them." };
        var output = new Option<string>("--out")
        {
            Description = "Where the books go: one folder per manuscript id.",
            DefaultValueFactory = _ => "illustrated",
        };
        var model = new Option<string?>("--model") { Description = "'nano' (the built-in model) or a MiniGPT-5 model folder (minigpt5.json). Default: MiniGpt5__Model, else nano." };
        var style = new Option<string?>("--style") { Description = "Style prompt added to every step (overrides the manuscript's)." };
        var seed = new Option<uint?>("--seed") { Description = "Seed basis for every step (overrides the manuscript's)." };
        var steps = new Option<int?>("--steps") { Description = "Denoising steps (1-1000)." };
        var guidance = new Option<double?>("--guidance") { Description = "Classifier-free guidance scale (0-50)." };
        var sampler = new Option<string?>("--sampler") { Description = "pndm, ddim, dpmsolver++ or euler." };
        var size = new Option<int?>("--size") { Description = "Square image size in pixels (multiple of 8, 64-2048)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with every book instead of text (no progress bar)." };
        var app = new AppOptions();

        var command = new Command("illustrate", "Illustrate manuscripts in-process and write the books (index.html, book.md, book.epub).")
        {
            path, output, model, style, seed, steps, guidance, sampler, size, json,
        };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            MiniGpt5Settings settings;
            ManuscriptOptions options;
            IReadOnlyList<string> files;
            try
            {
                settings = app.Load(parse, parse.GetValue(model));
                // One process does everything: both queues, orchestrations included.
                settings = settings with { TaskQueues = ["default", "gpu"] };
                options = new ManuscriptOptions
                {
                    Style = parse.GetValue(style),
                    Seed = parse.GetValue(seed),
                    InferenceSteps = parse.GetValue(steps),
                    GuidanceScale = parse.GetValue(guidance),
                    Scheduler = parse.GetValue(sampler),
                    ImageWidth = parse.GetValue(size),
                    ImageHeight = parse.GetValue(size),
                }.Validated("the command line");
                files = LocalIllustrationRunner.ExpandInputs(parse.GetValue(path)!);
                ModelLocator.Resolve(settings.Model);
            }
            catch (Exception e) when (e is SettingsException or ManuscriptException or FileNotFoundException or ModelUnavailableException)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }

            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            var asJson = parse.GetValue(json);
            try
            {
                await using var host = await AppOptions.StartHostAsync(settings, new IllustrationHostOptions(), cancellationToken);
                var books = await ProgressDisplay.RunAsync(asJson, stderr, progress =>
                    LocalIllustrationRunner.RunAsync(host, files, outDir, options, progress, cancellationToken: cancellationToken));
                await ReportAsync(books, asJson, stdout, stderr);
                // 0: every book made; 2: only refused input; 1: some run failed.
                return books.All(b => b.Succeeded) ? 0 : books.Where(b => !b.Succeeded).All(b => b.Refused) ? 2 : 1;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync("interrupted; run the same command again to resume (finished steps are kept).");
                return 1;
            }
            catch (SettingsException e)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }
        });
        return command;
    }

    private static async Task ReportAsync(IReadOnlyList<LocalBook> books, bool asJson, TextWriter stdout, TextWriter stderr)
    {
        if (asJson)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
            {
                books = books.Select(b => new
                {
                    id = b.ManuscriptId,
                    source = b.Source,
                    title = b.Title,
                    succeeded = b.Succeeded,
                    folder = b.Folder,
                    index = b.EntryPath,
                    done = b.Counts?.Done,
                    failed = b.Counts?.Failed,
                    total = b.Counts?.Total,
                    error = b.Error,
                }),
                succeeded = books.Count(b => b.Succeeded),
                total = books.Count,
            }));
            return;
        }

        foreach (var book in books)
        {
            if (book.Succeeded)
            {
                var failed = book.Counts!.Failed > 0
                    ? string.Create(CultureInfo.InvariantCulture, $" ({book.Counts.Failed} of {book.Counts.Total} steps without a picture; the book says why)")
                    : string.Empty;
                await stdout.WriteLineAsync($"{book.Title}: {book.EntryPath}{failed}");
            }
            else
            {
                // Reader errors already start with their source ("batch.jsonl, line 3, ...").
                var error = book.Error ?? "unknown error";
                await stderr.WriteLineAsync(error.StartsWith(book.Source, StringComparison.Ordinal) ? $"failed: {error}" : $"failed: {book.Source}: {error}");
            }
        }

        if (books.Count > 1)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{books.Count(b => b.Succeeded)}/{books.Count} books written"));
        }
    }
}
