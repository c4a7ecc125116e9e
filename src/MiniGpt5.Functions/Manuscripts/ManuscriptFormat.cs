namespace MiniGpt5.Functions.Manuscripts;

/// <summary>The input formats a manuscript can arrive in.</summary>
public enum ManuscriptFormat
{
    /// <summary>Markdown with optional front matter; chapters by <c>#</c>/<c>##</c> headings.</summary>
    Markdown,

    /// <summary>Plain text; chapters by "Chapter N" or all-capitals heading lines.</summary>
    PlainText,

    /// <summary>
    /// A JSON story: the VIST shape <c>{story_id: [{caption, image_id, sequence_index}, ...]}</c> (one manuscript
    /// per story) or the simple shape <c>{"title": ..., "steps": [...]}</c>.
    /// </summary>
    StoryJson,

    /// <summary>JSON Lines: one manuscript per line (an object in a JSON shape, a <c>format</c>/<c>text</c> object, or a string).</summary>
    JsonLines,
}
