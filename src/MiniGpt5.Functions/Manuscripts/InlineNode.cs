namespace MiniGpt5.Functions.Manuscripts;

/// <summary>A piece of parsed inline Markdown.</summary>
internal abstract record InlineNode;

/// <summary>Literal text.</summary>
internal sealed record TextNode(string Text) : InlineNode;

/// <summary><c>*em*</c> or <c>**strong**</c>.</summary>
internal sealed record EmphasisNode(IReadOnlyList<InlineNode> Children, bool Strong) : InlineNode;

/// <summary><c>`code`</c>.</summary>
internal sealed record CodeNode(string Text) : InlineNode;

/// <summary><c>[text](url "title")</c> or <c>&lt;https://...&gt;</c>.</summary>
internal sealed record LinkNode(IReadOnlyList<InlineNode> Children, string Url, string? Title) : InlineNode;

/// <summary><c>![alt](url "title")</c>.</summary>
internal sealed record ImageNode(string Alt, string Url, string? Title) : InlineNode;

/// <summary>A hard line break (two trailing spaces or a backslash before the newline).</summary>
internal sealed record LineBreakNode : InlineNode;
