namespace MiniGpt5.Functions.Manuscripts;

/// <summary>One <c>key: value</c> line (with its block-list lines) of front matter.</summary>
/// <param name="Key">The key as written.</param>
/// <param name="Value">Its value.</param>
/// <param name="Line">1-based line of the key in the manuscript.</param>
public sealed record FrontMatterEntry(string Key, FrontMatterValue Value, int Line);
