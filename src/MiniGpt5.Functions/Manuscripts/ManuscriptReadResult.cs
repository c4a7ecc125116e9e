using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// One manuscript read from a file: either the manuscript or why it failed. A batch file gives one result per
/// item, so one bad item never fails the others.
/// </summary>
/// <param name="Source">Name for people (<c>batch.jsonl, line 3</c>).</param>
/// <param name="ItemKey">The item's key inside a batch (<c>line-3</c>, <c>story-45530</c>), or null for a one-manuscript file.</param>
/// <param name="Manuscript">The manuscript, when it could be read.</param>
/// <param name="Error">Why it could not, otherwise.</param>
public sealed record ManuscriptReadResult(string Source, string? ItemKey, Manuscript? Manuscript, ManuscriptError? Error)
{
    /// <summary>True when <see cref="Manuscript"/> is set.</summary>
    [JsonIgnore]
    [MemberNotNullWhen(true, nameof(Manuscript))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Manuscript is not null;

    internal static ManuscriptReadResult Ok(Manuscript manuscript) => new(manuscript.Source, manuscript.ItemKey, manuscript, null);

    internal static ManuscriptReadResult Failed(ManuscriptError error, string? itemKey) => new(error.Source, itemKey, null, error);
}
