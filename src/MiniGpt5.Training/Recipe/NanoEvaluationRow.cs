namespace MiniGpt5.Training.Recipe;

/// <summary>
/// One row of <c>minigpt5 eval nano</c>: a model variant at one guidance scale on the held-out stories.
/// </summary>
/// <param name="Variant">What was trained ("full", "no-stage1", "no-cap").</param>
/// <param name="Guidance">Classifier-free guidance scale used to draw (1 = no guidance).</param>
/// <param name="Steps">Story steps illustrated.</param>
/// <param name="StepAccuracy">Steps whose image the judge finds fully matching the text.</param>
/// <param name="AttributeAccuracy">Passed attribute checks / all checks (background, count, kind, colour, size, position).</param>
/// <param name="VokenRate">Steps where the LLM emitted [IMG0] (no vokens: no image, every check fails).</param>
/// <param name="TextPerplexity">Perplexity of the held-out step texts given the story so far ("next scene" prompt).</param>
/// <param name="Seconds">Wall time of the row.</param>
public sealed record NanoEvaluationRow(
    string Variant, double Guidance, int Steps, double StepAccuracy, double AttributeAccuracy, double VokenRate, double TextPerplexity, double Seconds);
