namespace MiniGpt5.Models.Interleaved;

/// <summary>The exact prompt strings of the released code (MODEL_SPEC §1.3).</summary>
public static class MiniGpt5Prompts
{
    /// <summary>The image slot input_warp fills with 32 image embeddings.</summary>
    public const string ImageSlot = "<Img><ImageHere></Img>";

    /// <summary>VIST's system prompt (also the playground's).</summary>
    public const string VistSystemPrompt =
        "Give the following images in <Img>ImageContent</Img> format. You will be able to see the images once I provide it to you. Please understanding images and generate story.";

    /// <summary>MMDialog's system prompt.</summary>
    public const string MmDialogSystemPrompt =
        "Give the following images in <Img>ImageContent</Img> format. You will be able to see the images once I provide it to you. Please generate conversations with appropriate images.";

    /// <summary>The playground's instruction after the story so far.</summary>
    public const string NextSceneInstruction = " Tell me the next scene with image.";

    /// <summary>
    /// One conversational turn as the playground builds it: <c>{system}###Human:{user} ###Assistant:</c>.
    /// </summary>
    public static string Turn(string systemPrompt, string user)
    {
        ArgumentNullException.ThrowIfNull(systemPrompt);
        ArgumentNullException.ThrowIfNull(user);
        return $"{systemPrompt}###Human:{user} ###Assistant:";
    }

    /// <summary>
    /// VIST's image-generation template (dataloader.py, task "-gen", first variant):
    /// <c>{system}###Human:{story} Generate an image with the scene description: {step} ###Assistant:</c>, where the
    /// story is the previous captions each followed by its image slot, then "\n" (empty for the first step). A previous
    /// step without an image contributes only its caption.
    /// </summary>
    public static string VistImageGeneration(IEnumerable<(string Caption, bool HasImage)> previous, string step, string systemPrompt = VistSystemPrompt)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(step);
        var story = new System.Text.StringBuilder();
        foreach (var (caption, hasImage) in previous)
        {
            story.Append(caption);
            if (hasImage)
            {
                story.Append(ImageSlot);
            }
        }

        if (story.Length > 0)
        {
            story.Append('\n');
        }

        return $"{systemPrompt}###Human:{story} Generate an image with the scene description: {step} ###Assistant:";
    }
}
