using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Trainer;

/// <summary>Where a loss computation sits: optimizer step, micro-batch within it, the seeded generator for its random
/// draws, and whether it is a training (true) or validation (false) pass.</summary>
public sealed record StepContext(long Step, int MicroBatch, Generator Random, bool Training);
