namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// Where a manuscript's bytes are and how to read them: the stored file, the name it was submitted under (its
/// extension picks the format and it seeds the manuscript id), and, for one manuscript of a batch file, its item key.
/// </summary>
/// <param name="Blob">The stored file (content-addressed under <c>manuscripts/_submitted/</c>).</param>
/// <param name="SourceName">The original file or blob name (<c>story.md</c>, <c>batch.jsonl</c>).</param>
/// <param name="ItemKey">The item inside a batch file (<c>line-3</c>), or null for a file holding one manuscript.</param>
public sealed record ManuscriptSource(BlobReference Blob, string SourceName, string? ItemKey = null);
