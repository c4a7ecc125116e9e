namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>One tensor entry of a safetensors header: dtype, shape and byte range inside the data section.</summary>
public sealed record SafetensorsTensorInfo(string Name, DType DType, long[] Shape, long Begin, long End);
