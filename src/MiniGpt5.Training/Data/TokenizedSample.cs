namespace MiniGpt5.Training.Data;

/// <summary>
/// An example's token ids and labels (MODEL_SPEC §3.2): ids = tok(source) ++ tok(target); labels are −100 over the
/// source and over [IMG1]…[IMG6] after the first [IMG0], and the target ids elsewhere. The attention mask is all ones.
/// </summary>
public sealed record TokenizedSample(int[] InputIds, int[] Labels, MiniGpt5Example Example)
{
    /// <summary>The label that cross entropy ignores.</summary>
    public const int IgnoreIndex = -100;
}
