namespace MiniGpt5.Functions.Manuscripts;

/// <summary>Limits on what <see cref="ManuscriptReader"/> accepts. Bound from settings by the host.</summary>
public sealed record ManuscriptReaderSettings
{
    /// <summary>Largest single manuscript, in bytes: a Markdown or text file, or one JSONL line (default 1 MiB).</summary>
    public long MaxManuscriptBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest JSON or JSONL file, which may hold many manuscripts (default 64 MiB).</summary>
    public long MaxBatchBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most manuscripts one batch file may hold (default 10,000); the rest fail with a message.</summary>
    public int MaxManuscriptsPerBatch { get; init; } = 10_000;

    /// <summary>
    /// Most steps one manuscript may have as written, before <c>steps_per_chapter</c> merges any (default 10,000);
    /// the planner separately caps the steps it will illustrate.
    /// </summary>
    public int MaxStepsPerManuscript { get; init; } = 10_000;

    /// <summary>The defaults.</summary>
    public static ManuscriptReaderSettings Default { get; } = new();
}
