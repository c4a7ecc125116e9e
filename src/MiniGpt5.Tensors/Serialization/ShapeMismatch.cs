namespace MiniGpt5.Tensors.Serialization;

/// <summary>A key both the model and the checkpoint have, with different shapes.</summary>
public sealed record ShapeMismatch(string Name, IReadOnlyList<long> Expected, IReadOnlyList<long> Actual)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: checkpoint {CheckpointTensor.FormatShape(Actual)} vs model {CheckpointTensor.FormatShape(Expected)}";
}
