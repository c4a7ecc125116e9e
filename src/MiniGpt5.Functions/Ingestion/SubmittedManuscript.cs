using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Ingestion;

/// <summary>One manuscript of a submission.</summary>
/// <param name="ManuscriptId">Its id (and instance id).</param>
/// <param name="Source">Where it came from, for people.</param>
/// <param name="Book">Where its book will be.</param>
/// <param name="Error">Why it cannot be read, when the submitter already knows (its orchestration will fail with this).</param>
public sealed record SubmittedManuscript(string ManuscriptId, string Source, BookLocation Book, string? Error = null);
