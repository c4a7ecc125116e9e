namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Draw NumSamples indices per row from the generator.</summary>
public sealed record MultinomialAttributes(int NumSamples, bool Replacement, Generator Generator) : OpAttributes;
