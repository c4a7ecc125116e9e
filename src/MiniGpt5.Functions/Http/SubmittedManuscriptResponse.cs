namespace MiniGpt5.Functions.Http;

/// <summary>One manuscript of a submission, as the API shows it.</summary>
/// <param name="ManuscriptId">Its id (its instance id and book folder).</param>
/// <param name="Source">Where it came from (<c>batch.jsonl, line 3</c>).</param>
/// <param name="StatusQueryGetUri">Its own instance's status URL.</param>
/// <param name="BookUri">Where its book's <c>index.html</c> will be.</param>
/// <param name="Error">Why it cannot be read, when already known (its run fails with this message).</param>
public sealed record SubmittedManuscriptResponse(string ManuscriptId, string Source, string StatusQueryGetUri, string BookUri, string? Error);
