using System.Security.Cryptography;
using System.Text.Json;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Assembles the illustrated book from a plan and its step results: <c>index.html</c>, <c>book.md</c>,
/// <c>book.epub</c> (as the plan's formats ask) and always <c>manifest.json</c>, written last so its presence
/// means the book is complete. A step whose result failed, is missing, or whose image is missing or not a PNG
/// appears with a placeholder and the reason; the book is still made. Output depends only on the inputs
/// (the clock comes from <see cref="BookAssemblyOptions.CreatedAt"/>), so a retry writes the same bytes.
/// </summary>
public static class BookAssembler
{
    /// <summary>The web page.</summary>
    public const string HtmlFile = "index.html";

    /// <summary>The Markdown book.</summary>
    public const string MarkdownFile = "book.md";

    /// <summary>The EPUB.</summary>
    public const string EpubFile = "book.epub";

    /// <summary>The manifest.</summary>
    public const string ManifestFile = "manifest.json";

    /// <summary>
    /// Writes the book for <paramref name="plan"/> into <paramref name="folder"/>. <paramref name="results"/> holds
    /// at most one result per planned step; a step with none counts as failed. Images are read from the folder
    /// (or taken from <see cref="StepResult.ImagePng"/> and written create-only).
    /// </summary>
    public static async Task<BookAssemblyResult> AssembleAsync(
        ManuscriptPlan plan,
        IReadOnlyList<StepResult> results,
        IBookFolder folder,
        BookAssemblyOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        if (plan.Steps.Count == 0)
        {
            throw new ArgumentException($"The plan for {plan.ManuscriptId} has no steps.", nameof(plan));
        }

        var byNumber = IndexResults(plan, results);
        var files = new List<BookFileEntry>();
        var views = new List<BookStepView>(plan.Steps.Count);
        foreach (var step in plan.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var view = await ResolveStepAsync(step, byNumber.GetValueOrDefault(step.Number), folder, cancellationToken).ConfigureAwait(false);
            views.Add(view);
            if (view.HasImage)
            {
                files.Add(Entry(view.ImagePath, view.Png!));
            }
        }

        var chapters = plan.Chapters
            .Select(c => new BookChapterView(c, views.Skip(c.FirstStep - 1).Take(c.StepCount).ToList()))
            .ToList();
        var model = views.Where(v => v.HasImage && v.Result?.ModelName is not null)
            .GroupBy(v => (v.Result!.ModelName, v.Result.ModelHash))
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.First().Step.Number)
            .Select(g => g.Key)
            .FirstOrDefault();
        var book = new BookModel(plan, chapters, views, options.CreatedAt, model.ModelName, model.ModelHash, options.Generator);

        var formats = plan.Options.Formats ?? ManuscriptOptions.Defaults.Formats!;
        foreach (var format in formats.Distinct())
        {
            var (path, content) = format switch
            {
                BookFormat.Html => (HtmlFile, HtmlBookWriter.Write(book, options.InlineImages)),
                BookFormat.Markdown => (MarkdownFile, MarkdownBookWriter.Write(book)),
                BookFormat.Epub => (EpubFile, EpubBookWriter.Write(book)),
                _ => throw new ArgumentOutOfRangeException(nameof(plan), format, "Unknown book format."),
            };
            await folder.WriteFileAsync(path, content, createOnly: !options.Overwrite, cancellationToken).ConfigureAwait(false);
            files.Add(Entry(path, content));
        }

        var manifest = Manifest(book, files);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, BookJsonContext.Default.BookManifest);
        await folder.WriteFileAsync(ManifestFile, manifestBytes, createOnly: !options.Overwrite, cancellationToken).ConfigureAwait(false);
        files.Add(Entry(ManifestFile, manifestBytes));

        return new BookAssemblyResult(plan.ManuscriptId, plan.Title, manifest.Counts, files);
    }

    private static Dictionary<int, StepResult> IndexResults(ManuscriptPlan plan, IReadOnlyList<StepResult> results)
    {
        var byNumber = new Dictionary<int, StepResult>();
        foreach (var result in results)
        {
            ArgumentNullException.ThrowIfNull(result, nameof(results));
            if (result.StepNumber < 1 || result.StepNumber > plan.Steps.Count)
            {
                throw new ArgumentException(
                    $"A result is for step {result.StepNumber}, but the plan for {plan.ManuscriptId} has steps 1..{plan.Steps.Count}.", nameof(results));
            }

            if (!byNumber.TryAdd(result.StepNumber, result))
            {
                throw new ArgumentException($"Step {result.StepNumber} of {plan.ManuscriptId} has two results.", nameof(results));
            }
        }

        return byNumber;
    }

    private static async Task<BookStepView> ResolveStepAsync(PlannedStep step, StepResult? result, IBookFolder folder, CancellationToken cancellationToken)
    {
        var imagePath = result?.ImagePath ?? step.ImagePath;
        BookStepView Failed(string reason) => new(step, result, imagePath, null, 0, 0, reason);

        if (result is null)
        {
            return Failed("no result was recorded for this step.");
        }

        if (result.Status == StepStatus.Failed)
        {
            return Failed(string.IsNullOrWhiteSpace(result.Error) ? "the step failed without a message." : result.Error);
        }

        if (!BookPath.IsValid(imagePath))
        {
            return Failed($"the image path '{imagePath}' is not a valid book path.");
        }

        byte[]? png;
        if (result.ImagePng is { } inMemory)
        {
            png = inMemory.ToArray();
            if (!await folder.WriteFileAsync(imagePath, png, createOnly: true, cancellationToken).ConfigureAwait(false))
            {
                // An earlier attempt already wrote it; the book shows what is in the folder.
                png = await folder.ReadFileAsync(imagePath, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            png = await folder.ReadFileAsync(imagePath, cancellationToken).ConfigureAwait(false);
        }

        if (png is null)
        {
            return Failed($"the image {imagePath} is missing.");
        }

        if (PngHeader.TryRead(png, out var problem) is not { } size)
        {
            return Failed($"the image {imagePath} cannot be used: {problem}.");
        }

        return new BookStepView(step, result, imagePath, png, size.Width, size.Height, null);
    }

    private static BookManifest Manifest(BookModel book, List<BookFileEntry> files)
    {
        var plan = book.Plan;
        var steps = book.Steps.Select(v => new BookManifestStep(
            v.Step.Number,
            v.Step.ChapterIndex,
            v.Step.Text,
            v.HasImage ? StepStatus.Succeeded : StepStatus.Failed,
            v.HasImage ? v.ImagePath : null,
            v.Step.Seed,
            v.Result?.Settings,
            v.Result?.ModelName,
            v.Result?.ModelHash,
            v.Result?.TimingsMs is { } timings ? new SortedDictionary<string, double>(timings.ToDictionary(), StringComparer.Ordinal) : null,
            v.Result?.Attempts,
            v.FailureReason,
            v.Step.Context)).ToList();
        return new BookManifest(
            BookManifest.CurrentSchemaVersion,
            plan.ManuscriptId,
            plan.Title,
            plan.Author,
            plan.Language,
            plan.Source,
            plan.SourceName,
            plan.ItemKey,
            plan.Format,
            plan.Options,
            book.ModelName,
            book.ModelHash,
            book.CreatedAt,
            new BookCounts(book.Steps.Count, book.Done, book.Failed),
            plan.Chapters,
            steps,
            [.. files],
            plan.Warnings,
            book.Generator);
    }

    private static BookFileEntry Entry(string path, byte[] content) =>
        new(path, content.LongLength, Convert.ToHexStringLower(SHA256.HashData(content)));
}
