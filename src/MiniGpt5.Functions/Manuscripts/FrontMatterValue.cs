namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// One value from front matter. Scalars keep their text (unquoted, escapes resolved) and the kind YAML would give
/// them; lists keep their items. <see cref="Line"/> and <see cref="Column"/> are 1-based positions in the
/// manuscript, for error messages.
/// </summary>
/// <param name="Kind">Scalar kind or list.</param>
/// <param name="Text">The scalar's text; empty for lists and nulls.</param>
/// <param name="Line">1-based line of the value in the manuscript.</param>
/// <param name="Column">1-based column of the value.</param>
/// <param name="Quoted">True when the scalar was written in quotes (so <c>"true"</c> is a string).</param>
/// <param name="Items">The items of a list; null for scalars.</param>
public sealed record FrontMatterValue(
    FrontMatterValueKind Kind,
    string Text,
    int Line,
    int Column,
    bool Quoted = false,
    IReadOnlyList<FrontMatterValue>? Items = null)
{
    /// <summary>The value as written, for messages: lists as <c>[a, b]</c>, quoted strings in quotes.</summary>
    public string Display => Kind switch
    {
        FrontMatterValueKind.List => "[" + string.Join(", ", Items!.Select(i => i.Display)) + "]",
        FrontMatterValueKind.Null => "null",
        _ when Quoted => $"\"{Text}\"",
        _ => Text,
    };
}
