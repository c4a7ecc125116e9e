namespace MiniGpt5.Training.Data;

/// <summary>
/// One training example as the release's datasets list it (before tokenisation and image loading): the prompt,
/// the answer, the images the prompt shows (a null entry stands for the black placeholder image), the image the
/// answer should generate, and the caption used by the caption-alignment loss (CC3M only).
/// </summary>
/// <param name="Source">The prompt (system prompt + template), fed unsupervised.</param>
/// <param name="Target">The supervised answer, e.g. "[IMG0]…[IMG7] ###".</param>
/// <param name="InputImagePaths">Images for the prompt's &lt;ImageHere&gt; slots, in order; [null] when none.</param>
/// <param name="OutputImagePath">The image the vokens should produce, or null (understanding tasks).</param>
/// <param name="Caption">The preprocessed caption (CC3M), or null.</param>
/// <param name="TaskName">"cc3m_12", "cc3m_0_instruction", "40470_2-gen", "7_3-mm"...</param>
public sealed record MiniGpt5Example(
    string Source,
    string Target,
    IReadOnlyList<string?> InputImagePaths,
    string? OutputImagePath,
    string? Caption,
    string TaskName);
