namespace MiniGpt5.Functions.Manuscripts;

/// <summary>Which earlier steps a step may see as context.</summary>
public enum ContextScope
{
    /// <summary>Earlier steps anywhere in the book, so a character drawn in chapter 1 carries into chapter 2.</summary>
    Book,

    /// <summary>Only earlier steps of the same chapter; each chapter starts fresh.</summary>
    Chapter,
}
