namespace MiniGpt5.Functions.Manuscripts;

/// <summary>What a <see cref="StepBlock"/> is.</summary>
public enum StepBlockKind
{
    /// <summary>A paragraph (also a list item or block-quote paragraph).</summary>
    Paragraph,

    /// <summary>A sub-heading below the chapter level (<c>###</c> and deeper), shown in the book, not given to the model.</summary>
    Heading,

    /// <summary>A fenced code block, shown as preformatted text.</summary>
    Code,
}
