using System.Globalization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Per-manuscript illustration options. Every field is optional: null means "not set here". Options come from
/// three places, merged field by field: built-in defaults, then the manuscript itself (front matter, a JSON
/// <c>options</c> object, a JSONL line's <c>options</c>), then the request (HTTP body, CLI flags, ingestion
/// settings). <b>The request wins</b>: whoever submits the job can re-run a manuscript with another seed or
/// style without editing the publisher's file, the way command-line flags override a config file.
/// Model knobs left null (scheduler, inference steps, guidance, image size) mean "the model's own default",
/// which the worker fills in and records per step.
/// </summary>
public sealed record ManuscriptOptions
{
    /// <summary>The most steps a chapter may have before paragraphs are merged (1..200).</summary>
    public const int MaxStepsPerChapterLimit = 200;

    /// <summary>The longest style prompt accepted, in characters.</summary>
    public const int MaxStyleLength = 500;

    /// <summary>Scheduler names accepted (canonical spelling); aliases are listed in the Manuscripts README.</summary>
    public static IReadOnlyList<string> SchedulerNames { get; } = ["pndm", "ddim", "dpmsolver++", "euler"];

    /// <summary>A style prompt added to every step's prompt (for example "flat colours, thick outlines").</summary>
    public string? Style { get; init; }

    /// <summary>At most this many illustrated steps per chapter; extra paragraphs are merged into neighbouring steps, never dropped.</summary>
    public int? MaxStepsPerChapter { get; init; }

    /// <summary>
    /// A fixed seed basis. When set, step seeds derive from it and the step number instead of the manuscript id,
    /// so the same text illustrates the same way across uploads.
    /// </summary>
    public uint? Seed { get; init; }

    /// <summary>Classifier-free guidance scale (0..50; MiniGPT-5 uses 7.5).</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>Sampler: one of <see cref="SchedulerNames"/>.</summary>
    public string? Scheduler { get; init; }

    /// <summary>Denoising steps (1..1000; MiniGPT-5 uses 50).</summary>
    public int? InferenceSteps { get; init; }

    /// <summary>Image width in pixels (64..2048, a multiple of 8).</summary>
    public int? ImageWidth { get; init; }

    /// <summary>Image height in pixels (64..2048, a multiple of 8).</summary>
    public int? ImageHeight { get; init; }

    /// <summary>Book files to write; null means all of them.</summary>
    public IReadOnlyList<BookFormat>? Formats { get; init; }

    /// <summary>Wait for an approval event before assembling the book.</summary>
    public bool? ReviewGate { get; init; }

    /// <summary>The built-in defaults for what the app (not the model) decides: every format, no review gate.</summary>
    public static ManuscriptOptions Defaults { get; } = new()
    {
        Formats = [BookFormat.Html, BookFormat.Markdown, BookFormat.Epub],
        ReviewGate = false,
    };

    /// <summary>These options with every field that <paramref name="higher"/> sets replaced by its value.</summary>
    public ManuscriptOptions OverriddenBy(ManuscriptOptions? higher) => higher is null ? this : new ManuscriptOptions
    {
        Style = higher.Style ?? Style,
        MaxStepsPerChapter = higher.MaxStepsPerChapter ?? MaxStepsPerChapter,
        Seed = higher.Seed ?? Seed,
        GuidanceScale = higher.GuidanceScale ?? GuidanceScale,
        Scheduler = higher.Scheduler ?? Scheduler,
        InferenceSteps = higher.InferenceSteps ?? InferenceSteps,
        ImageWidth = higher.ImageWidth ?? ImageWidth,
        ImageHeight = higher.ImageHeight ?? ImageHeight,
        Formats = higher.Formats ?? Formats,
        ReviewGate = higher.ReviewGate ?? ReviewGate,
    };

    /// <summary>
    /// Checks ranges and names (for options that did not come through a parser, such as a deserialised HTTP
    /// body) and returns the options with the scheduler name in its canonical spelling. Throws a
    /// <see cref="ManuscriptException"/> naming <paramref name="source"/> and the field.
    /// </summary>
    public ManuscriptOptions Validated(string source)
    {
        string? Check(string field, string? problem) =>
            problem is null ? null : throw new ManuscriptException(new ManuscriptError(source, $"option '{field}' {problem}"));

        Check("style", Style is { Length: > MaxStyleLength } ? $"is {Style.Length} characters; the limit is {MaxStyleLength}." : null);
        Check("maxStepsPerChapter", MaxStepsPerChapter is { } cap && (cap < 1 || cap > MaxStepsPerChapterLimit)
            ? $"must be between 1 and {MaxStepsPerChapterLimit}, got {cap}." : null);
        Check("guidanceScale", GuidanceScale is { } g && !(g >= 0 && g <= 50)
            ? $"must be between 0 and 50, got {g.ToString(CultureInfo.InvariantCulture)}." : null);
        Check("inferenceSteps", InferenceSteps is { } n && (n < 1 || n > 1000) ? $"must be between 1 and 1000, got {n}." : null);
        Check("imageWidth", ImageWidth is { } w ? ImageSideProblem(w) : null);
        Check("imageHeight", ImageHeight is { } h ? ImageSideProblem(h) : null);
        Check("formats", Formats is { Count: 0 } ? "must name at least one of html, md, epub." : null);
        Check("formats", Formats?.Any(f => !Enum.IsDefined(f)) == true ? "names an unknown format; use html, md, epub." : null);
        var scheduler = Scheduler is null ? null : CanonicalScheduler(Scheduler);
        Check("scheduler", Scheduler is not null && scheduler is null
            ? $"'{Scheduler}' is not a known sampler; use one of {string.Join(", ", SchedulerNames)}." : null);
        return this with { Scheduler = scheduler, Formats = Formats?.Distinct().ToArray() };
    }

    /// <summary>What is wrong with an image side length, or null.</summary>
    internal static string? ImageSideProblem(int side) =>
        side < 64 || side > 2048 || side % 8 != 0 ? $"must be a multiple of 8 between 64 and 2048, got {side}." : null;

    /// <summary>The canonical scheduler name for <paramref name="name"/> or one of its aliases, or null.</summary>
    internal static string? CanonicalScheduler(string name) => name.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "pndm" or "plms" => "pndm",
        "ddim" => "ddim",
        "dpmsolver++" or "dpm-solver++" or "dpm++" or "dpmsolver" or "dpm-solver" or "dpmsolver-multistep" => "dpmsolver++",
        "euler" or "euler-discrete" => "euler",
        _ => null,
    };
}
