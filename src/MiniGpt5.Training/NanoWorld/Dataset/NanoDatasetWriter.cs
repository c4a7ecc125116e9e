using System.Globalization;
using System.Text;
using System.Text.Json;
using MiniGpt5.Imaging;

namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>
/// Writes the nano world in the layout MiniGPT-5's data loaders read (MODEL_SPEC §3.1), one folder per
/// dataset so the loader's "CC3M in DATAFOLDER" test picks the right class:
/// <code>
/// OUT/CC3M/cc3m_{split}.tsv                 caption&lt;TAB&gt;image_path, image_path relative to OUT/CC3M
/// OUT/CC3M/{split}/000000001.png …
/// OUT/VIST/{split}_cleaned.json             {story_id: [{caption, image_id, sequence_index}, …]}
/// OUT/VIST/{split}_image_mapping.json       {image_id: "{split}_images/000000001.png"}, relative to OUT/VIST
/// OUT/VIST/{split}_images/000000001.png …
/// OUT/nanoworld_{split}.json                manifest: world version, seed, counts, files
/// </code>
/// Everything is first written under a hidden staging folder inside OUT and moved into place once complete
/// (image folders first, then the index files that name them), so an interrupted run never leaves a
/// half-written split under the final names. With Force, the entries of each split written are replaced as a
/// whole (a split's image folder is deleted before the new one moves in); other splits' files are left alone. Images are PNG (the originals are JPEG; the loaders open either).
/// </summary>
public static class NanoDatasetWriter
{
    /// <summary>Folder of the CC3M-style set.</summary>
    public const string Cc3mFolder = "CC3M";

    /// <summary>Folder of the VIST-style set.</summary>
    public const string VistFolder = "VIST";

    private const string StagingPrefix = ".nanoworld-staging-";

    /// <summary>Writes the request. See the class summary for the layout.</summary>
    /// <exception cref="NanoDatasetException">Bad counts, a repeated split, or a non-empty folder without Force.</exception>
    public static async Task<NanoDatasetResult> WriteAsync(
        NanoDatasetRequest request, IProgress<NanoDatasetProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var root = Path.GetFullPath(request.OutputDirectory);
        PrepareRoot(root, request.Force);

        var staging = Path.Combine(root, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var plans = request.Splits.Select(s => Plan(request.Seed, s, cancellationToken)).ToList();
            await RenderAsync(staging, plans, progress, cancellationToken).ConfigureAwait(false);

            var results = new List<NanoSplitResult>();
            foreach (var plan in plans)
            {
                results.Add(await WriteIndexesAsync(staging, root, request.Seed, plan, cancellationToken).ConfigureAwait(false));
            }

            cancellationToken.ThrowIfCancellationRequested();
            foreach (var plan in plans)
            {
                Commit(staging, root, plan);
            }

            return new NanoDatasetResult(root, results);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static void Validate(NanoDatasetRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.OutputDirectory))
        {
            throw new NanoDatasetException("No output folder given.");
        }

        if (request.Splits.Count == 0)
        {
            throw new NanoDatasetException("No split to write.");
        }

        var repeated = request.Splits.GroupBy(s => s.Split).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new NanoDatasetException($"The split '{NanoSplits.Name(repeated.Key)}' is requested more than once.");
        }

        foreach (var s in request.Splits)
        {
            if (s.Captions < 0 || s.Stories < 0)
            {
                throw new NanoDatasetException(
                    $"Split '{NanoSplits.Name(s.Split)}': counts must be zero or more (captions {s.Captions}, stories {s.Stories}).");
            }
        }

        if (request.Splits.All(s => s.Captions == 0 && s.Stories == 0))
        {
            throw new NanoDatasetException("Nothing to write: every split asks for 0 captions and 0 stories.");
        }
    }

    private static void PrepareRoot(string root, bool force)
    {
        if (File.Exists(root))
        {
            throw new NanoDatasetException($"'{root}' is a file, not a folder.");
        }

        if (Directory.Exists(root))
        {
            var first = Directory.EnumerateFileSystemEntries(root).FirstOrDefault();
            if (first is not null && !force)
            {
                throw new NanoDatasetException(
                    $"'{root}' is not empty (it holds '{Path.GetFileName(first)}', among others); pass --force to replace the files of the splits being written.");
            }
        }

        Directory.CreateDirectory(root);
    }

    private static SplitPlan Plan(ulong seed, NanoSplitRequest request, CancellationToken cancellationToken)
    {
        var name = NanoSplits.Name(request.Split);
        var captions = NanoDatasetSampler.Captions(seed, request.Split).Take(request.Captions).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var stories = NanoDatasetSampler.Stories(seed, request.Split).Take(request.Stories).ToList();
        cancellationToken.ThrowIfCancellationRequested();

        var images = new List<(NanoScene Scene, string Path)>();
        for (var i = 0; i < captions.Count; i++)
        {
            images.Add((captions[i].Scene, Path.Combine(Cc3mFolder, Cc3mImagePath(name, i + 1))));
        }

        var imageNumber = 0;
        foreach (var story in stories)
        {
            foreach (var step in story.Story.Steps)
            {
                images.Add((step.Scene, Path.Combine(VistFolder, VistImagePath(name, ++imageNumber))));
            }
        }

        return new SplitPlan(request.Split, name, captions, stories, images);
    }

    private static string Cc3mImagePath(string split, int number) => $"{split}/{number:D9}.png";

    private static string VistImagePath(string split, int number) => $"{split}_images/{number:D9}.png";

    private static async Task RenderAsync(string staging, List<SplitPlan> plans, IProgress<NanoDatasetProgress>? progress, CancellationToken cancellationToken)
    {
        var jobs = plans.SelectMany(p => p.Images).ToList();
        foreach (var folder in jobs.Select(j => Path.GetDirectoryName(Path.Combine(staging, j.Path))!).Distinct())
        {
            Directory.CreateDirectory(folder);
        }

        var written = 0;
        progress?.Report(new NanoDatasetProgress(0, jobs.Count));
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        await Parallel.ForEachAsync(jobs, options, async (job, token) =>
        {
            var png = ImageCodec.Encode(NanoSceneRenderer.Render(job.Scene), ImageFormat.Png);
            await File.WriteAllBytesAsync(Path.Combine(staging, job.Path), png, token).ConfigureAwait(false);
            var done = Interlocked.Increment(ref written);
            progress?.Report(new NanoDatasetProgress(done, jobs.Count));
        }).ConfigureAwait(false);
    }

    private static async Task<NanoSplitResult> WriteIndexesAsync(string staging, string root, ulong seed, SplitPlan plan, CancellationToken cancellationToken)
    {
        string? tsv = null, vist = null, mapping = null;
        if (plan.Captions.Count > 0)
        {
            tsv = Path.Combine(Cc3mFolder, $"cc3m_{plan.Name}.tsv");
            var text = new StringBuilder("caption\timage_path\n");
            for (var i = 0; i < plan.Captions.Count; i++)
            {
                text.Append(CheckedField(plan.Captions[i].Caption)).Append('\t').Append(Cc3mImagePath(plan.Name, i + 1)).Append('\n');
            }

            await File.WriteAllTextAsync(Path.Combine(staging, tsv), text.ToString(), cancellationToken).ConfigureAwait(false);
        }

        var storyImages = plan.Stories.Sum(s => s.Story.Steps.Count);
        if (plan.Stories.Count > 0)
        {
            vist = Path.Combine(VistFolder, $"{plan.Name}_cleaned.json");
            mapping = Path.Combine(VistFolder, $"{plan.Name}_image_mapping.json");
            await File.WriteAllBytesAsync(Path.Combine(staging, vist), VistStoriesJson(plan), cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(staging, mapping), VistMappingJson(plan.Name, storyImages), cancellationToken).ConfigureAwait(false);
        }

        var manifest = $"nanoworld_{plan.Name}.json";
        await File.WriteAllBytesAsync(Path.Combine(staging, manifest), ManifestJson(seed, plan, tsv, vist, mapping, storyImages), cancellationToken)
            .ConfigureAwait(false);
        return new NanoSplitResult(
            plan.Split,
            plan.Captions.Count,
            plan.Stories.Count,
            storyImages,
            tsv is null ? null : Path.Combine(root, tsv),
            vist is null ? null : Path.Combine(root, vist),
            mapping is null ? null : Path.Combine(root, mapping),
            Path.Combine(root, manifest));
    }

    private static string CheckedField(string caption) =>
        caption.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || caption.Contains('"', StringComparison.Ordinal)
            ? throw new InvalidOperationException($"Caption unfit for a tsv field: '{caption}'.")
            : caption;

    private static JsonWriterOptions JsonOptions => new() { Indented = true, IndentSize = 4 };

    private static byte[] VistStoriesJson(SplitPlan plan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            var imageNumber = 0;
            for (var s = 0; s < plan.Stories.Count; s++)
            {
                json.WriteStartArray((s + 1).ToString(CultureInfo.InvariantCulture));
                foreach (var step in plan.Stories[s].Story.Steps)
                {
                    json.WriteStartObject();
                    json.WriteString("caption", step.Text);
                    json.WriteString("image_id", (++imageNumber).ToString(CultureInfo.InvariantCulture));
                    json.WriteNumber("sequence_index", step.Index);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static byte[] VistMappingJson(string split, int images)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            for (var i = 1; i <= images; i++)
            {
                json.WriteString(i.ToString(CultureInfo.InvariantCulture), VistImagePath(split, i));
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static byte[] ManifestJson(ulong seed, SplitPlan plan, string? tsv, string? vist, string? mapping, int storyImages)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("generator", "minigpt5 dataset nano");
            json.WriteNumber("world_version", NanoWorldInfo.Version);
            json.WriteString("split", plan.Name);
            json.WriteNumber("seed", seed);
            json.WriteNumber("captions", plan.Captions.Count);
            json.WriteNumber("stories", plan.Stories.Count);
            json.WriteNumber("story_images", storyImages);
            json.WriteString("image_size", $"{NanoGeometry.CanvasSize}x{NanoGeometry.CanvasSize}");
            WritePath(json, "cc3m_tsv", tsv);
            WritePath(json, "vist_json", vist);
            WritePath(json, "vist_image_mapping", mapping);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();

        static void WritePath(Utf8JsonWriter json, string name, string? path)
        {
            if (path is null)
            {
                json.WriteNull(name);
            }
            else
            {
                json.WriteString(name, path.Replace('\\', '/'));
            }
        }
    }

    private static void Commit(string staging, string root, SplitPlan plan)
    {
        // Every entry a split owns, image folders first, then the files that index them, the manifest last.
        // An entry this run did not write (0 captions or 0 stories) is removed, so the split on disk is
        // exactly this run's.
        (string Path, bool Folder)[] entries =
        [
            (Path.Combine(Cc3mFolder, plan.Name), true),
            (Path.Combine(VistFolder, $"{plan.Name}_images"), true),
            (Path.Combine(VistFolder, $"{plan.Name}_image_mapping.json"), false),
            (Path.Combine(VistFolder, $"{plan.Name}_cleaned.json"), false),
            (Path.Combine(Cc3mFolder, $"cc3m_{plan.Name}.tsv"), false),
            ($"nanoworld_{plan.Name}.json", false),
        ];
        foreach (var (path, folder) in entries)
        {
            var source = Path.Combine(staging, path);
            var target = Path.Combine(root, path);
            var staged = folder ? Directory.Exists(source) : File.Exists(source);
            if (folder && Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            else if (!folder && !staged && File.Exists(target))
            {
                File.Delete(target);
            }

            if (!staged)
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (folder)
            {
                Directory.Move(source, target);
            }
            else
            {
                File.Move(source, target, overwrite: true);
            }
        }
    }

    private sealed record SplitPlan(
        NanoSplit Split,
        string Name,
        List<NanoCaptionSample> Captions,
        List<NanoStorySample> Stories,
        List<(NanoScene Scene, string Path)> Images);
}
