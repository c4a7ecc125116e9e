namespace MiniGpt5.Training.Data;

/// <summary>The exact prompt strings of the release's dataloader.py (MODEL_SPEC §1.3).</summary>
public static class PromptTemplates
{
    /// <summary>"[IMG0][IMG1]…[IMG7]", no spaces.</summary>
    public const string AllVokens = "[IMG0][IMG1][IMG2][IMG3][IMG4][IMG5][IMG6][IMG7]";

    /// <summary>The image slot in prompts.</summary>
    public const string ImageSlot = "<Img><ImageHere></Img>";

    /// <summary>CC3M instruction variant (every 100th sample in training).</summary>
    public const string Cc3mSystemPrompt = "You will be able to generate image according to command.";

    /// <summary>VIST (and playground) system prompt.</summary>
    public const string VistSystemPrompt =
        "Give the following images in <Img>ImageContent</Img> format. You will be able to see the images once I provide it to you. Please understanding images and generate story.";

    /// <summary>MMDialog system prompt (the loader at HEAD).</summary>
    public const string MmDialogSystemPrompt =
        "Give the following images in <Img>ImageContent</Img> format. You will be able to see the images once I provide it to you. Please generate conversations with appropriate images.";

    /// <summary>CC3M generation prompts.</summary>
    public static IReadOnlyList<string> Cc3mGenerationPrompts { get; } =
    [
        "generate image with caption:",
        "can you give me the image with caption:",
        "help me to generate this image:",
        "generate image with according to caption:",
        "according to caption, generate image:",
        "an image with caption:",
        "can you visualize this caption:",
    ];

    /// <summary>VIST image generation ("-gen"); {0} = prompt, {1} = step text.</summary>
    public static IReadOnlyList<string> VistGeneration { get; } =
    [
        "###Human:{0} Generate an image with the scene description: {1} ###Assistant:",
        "###Human:{0} the scene description: {1} ###Assistant:",
    ];

    /// <summary>VIST text + image ("-multimodal"); {0} = prompt.</summary>
    public static IReadOnlyList<string> VistMultimodal { get; } =
    [
        "###Human:{0} Tell me the next scene with image. ###Assistant:",
        "###Human:{0} Generate the next scene with image. ###Assistant:",
        "###Human:{0} What should happen then? ###Assistant:",
    ];

    /// <summary>VIST understanding ("-understanding"); {0} = prompt.</summary>
    public static IReadOnlyList<string> VistUnderstanding { get; } =
    [
        "###Human:{0} Tell me the next scene description by this image: <Img><ImageHere></Img> ###Assistant:",
        "###Human:{0} What happen in the next scene image: <Img><ImageHere></Img> ###Assistant:",
    ];
}
