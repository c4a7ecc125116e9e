using MiniGpt5.Durable;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// The CLI's <c>illustrate</c>: submits files (or every manuscript file of a folder) to an in-process
/// <see cref="IllustrationHost"/>, reports progress until every run ends, and copies each book out of the store into
/// <c>{output}/{manuscriptId}/</c>. Runs are the durable ones: interrupted, the same command later resumes them
/// (same ids), and a finished book is found again rather than repainted.
/// </summary>
public static class LocalIllustrationRunner
{
    private static readonly string[] EntryFiles = ["index.html", "book.md", "book.epub"];

    /// <summary>File extensions taken from a folder.</summary>
    public static IReadOnlyList<string> ManuscriptExtensions { get; } = [".md", ".markdown", ".txt", ".text", ".json", ".jsonl", ".ndjson"];

    /// <summary>The files <paramref name="path"/> names: itself, or a folder's manuscript files in name order.</summary>
    public static IReadOnlyList<string> ExpandInputs(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return [Path.GetFullPath(path)];
        }

        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => ManuscriptExtensions.Contains(Path.GetExtension(f).ToLowerInvariant(), StringComparer.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(Path.GetFullPath)
                .ToList();
            return files.Count > 0 ? files
                : throw new FileNotFoundException($"The folder '{path}' holds no manuscript files ({string.Join(", ", ManuscriptExtensions)}).", path);
        }

        throw new FileNotFoundException($"'{path}' is neither a file nor a folder.", path);
    }

    /// <summary>
    /// Illustrates <paramref name="files"/> and exports the books under <paramref name="outputDirectory"/>.
    /// <paramref name="progress"/> gets every manuscript's status each time something changes.
    /// </summary>
    public static async Task<IReadOnlyList<LocalBook>> RunAsync(
        IllustrationHost host,
        IReadOnlyList<string> files,
        string outputDirectory,
        ManuscriptOptions? options = null,
        IProgress<IReadOnlyList<ManuscriptStatusView>>? progress = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        var refused = new List<LocalBook>();
        var tracked = new List<(string Id, string Source)>();
        var roots = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            try
            {
                var bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
                var submission = await host.Submitter.SubmitAsync(name, bytes, options, cancellationToken).ConfigureAwait(false);
                roots.Add(submission.InstanceId);
                tracked.AddRange(submission.Manuscripts.Select(m => (m.ManuscriptId, m.Source)));
            }
            catch (ManuscriptException e)
            {
                refused.Add(new LocalBook(name, name, null, false, null, null, null, e.Message, Refused: true));
            }
        }

        string? last = null;
        while (true)
        {
            var views = new List<ManuscriptStatusView>(tracked.Count);
            foreach (var (id, source) in tracked)
            {
                views.Add(await ViewAsync(host, id, source, cancellationToken).ConfigureAwait(false));
            }

            var signature = string.Join('|', views.Select(v => $"{v.Phase}:{v.Done}:{v.Failed}:{v.Total}"));
            if (signature != last)
            {
                progress?.Report(views);
                last = signature;
            }

            var allDone = true;
            foreach (var root in roots)
            {
                var status = await host.Client.GetInstanceAsync(root, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
                allDone &= status?.IsCompleted == true;
            }

            if (allDone)
            {
                break;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }

        var books = new List<LocalBook>(refused);
        foreach (var (id, source) in tracked)
        {
            books.Add(await FinishAsync(host, id, source, outputDirectory, cancellationToken).ConfigureAwait(false));
        }

        return books;
    }

    private static async Task<ManuscriptStatusView> ViewAsync(IllustrationHost host, string id, string source, CancellationToken cancellationToken)
    {
        // Custom status comes with inputs and outputs.
        var status = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        var progress = status?.ReadCustomStatusAs<ManuscriptProgress>();
        var phase = status?.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => ProgressPhase.Completed,
            OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated => ProgressPhase.Failed,
            _ => progress?.Phase ?? ProgressPhase.Planning,
        };
        return new ManuscriptStatusView(id, source, progress?.Title, phase, progress?.Done ?? 0, progress?.Failed ?? 0, progress?.Total ?? 0);
    }

    private static async Task<LocalBook> FinishAsync(IllustrationHost host, string id, string source, string outputDirectory, CancellationToken cancellationToken)
    {
        var status = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        var progress = status?.ReadCustomStatusAs<ManuscriptProgress>();
        var book = progress?.Book ?? BookLocation.For(id);
        var folder = await ExportAsync(host.Account.Blobs, book, Path.Combine(outputDirectory, id), cancellationToken).ConfigureAwait(false);
        string? entry = null;
        if (folder is not null)
        {
            entry = EntryFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists);
        }

        if (status?.RuntimeStatus == OrchestrationRuntimeStatus.Completed)
        {
            var output = status.ReadOutputAs<IllustrateManuscriptOutput>()!;
            return new LocalBook(id, source, output.Title, true, folder, entry, output.Counts, null);
        }

        var error = status?.FailureDetails?.ErrorMessage ?? $"the run ended {status?.RuntimeStatus.ToString() ?? "without a status"}.";
        return new LocalBook(id, source, progress?.Title, false, folder, entry, null, error);
    }

    /// <summary>Copies every blob of <paramref name="book"/> into <paramref name="target"/>; null when the book has no files.</summary>
    public static async Task<string?> ExportAsync(IBlobStore blobs, BookLocation book, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(book);
        var source = new BlobBookFolder(blobs, book);
        var any = false;
        string? continuation = null;
        do
        {
            BlobPage page;
            try
            {
                page = await blobs.ListPageAsync(book.Container, new BlobListOptions(Prefix: book.Prefix), continuation, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.Status == 404)
            {
                return null;
            }

            foreach (var blob in page.Blobs)
            {
                var relative = blob.Name[book.Prefix.Length..];
                var bytes = await source.ReadFileAsync(relative, cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    continue;
                }

                var path = Path.Combine(target, relative.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
                any = true;
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return any ? Path.GetFullPath(target) : null;
    }
}
