namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Normalisation arguments: epsilon; the group count (group norm); how many trailing dims are normalised
/// (layer norm).</summary>
public sealed record NormAttributes(double Eps, int Groups = 1, int NormalizedRank = 1) : OpAttributes;
