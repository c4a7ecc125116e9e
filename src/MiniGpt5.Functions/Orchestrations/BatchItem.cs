namespace MiniGpt5.Functions.Orchestrations;

/// <summary>One manuscript of a batch file.</summary>
/// <param name="ManuscriptId">Its id; also its sub-orchestration's instance id.</param>
/// <param name="ItemKey">Its key inside the file (<c>line-3</c>).</param>
/// <param name="Source">Where it came from, for people (<c>batch.jsonl, line 3</c>).</param>
public sealed record BatchItem(string ManuscriptId, string ItemKey, string Source);
