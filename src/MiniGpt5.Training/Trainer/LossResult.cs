using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Trainer;

/// <summary>A micro-batch's scalar loss tensor (the trainer back-propagates and disposes it) and its named parts,
/// already read back as numbers ("text", "ldm", "cap").</summary>
public sealed record LossResult(Tensor Loss, IReadOnlyDictionary<string, double> Components);
