namespace MiniGpt5.Tensors.Serialization;

/// <summary>A tensor a model declares it will load: its checkpoint key and shape.</summary>
public sealed record ExpectedTensor(string Name, IReadOnlyList<long> Shape);
