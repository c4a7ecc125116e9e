using MiniGpt5.Training.Data;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// Adapts examples to a model without an image encoder (minigpt5.json without "vision"): the image slots
/// <c>&lt;Img&gt;&lt;ImageHere&gt;&lt;/Img&gt;</c> are removed from the prompt — exactly what
/// <c>MiniGpt5Prompts.VistImageGeneration</c> writes at inference for earlier steps the model cannot see — and the
/// understanding task, which needs an input image, is dropped.
/// </summary>
public static class TextOnlyExamples
{
    /// <summary>The examples a text-only model can train on, rewritten.</summary>
    public static IReadOnlyList<MiniGpt5Example> From(IEnumerable<MiniGpt5Example> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return examples
            .Where(e => !e.TaskName.EndsWith("-understanding", StringComparison.Ordinal))
            .Select(e => e with
            {
                Source = e.Source.Replace(PromptTemplates.ImageSlot, string.Empty, StringComparison.Ordinal),
                InputImagePaths = [],
            })
            .ToList();
    }
}
