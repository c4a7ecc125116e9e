namespace MiniGpt5.Functions.Books;

/// <summary>The generation settings a step actually ran with (the model's defaults filled in).</summary>
/// <param name="Scheduler">Sampler name (<c>pndm</c>, <c>ddim</c>, <c>dpmsolver++</c>, <c>euler</c>).</param>
/// <param name="InferenceSteps">Denoising steps.</param>
/// <param name="GuidanceScale">Classifier-free guidance scale.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Style">The style prompt, when one was used.</param>
public sealed record StepSettings(string Scheduler, int InferenceSteps, double GuidanceScale, int Width, int Height, string? Style = null);
