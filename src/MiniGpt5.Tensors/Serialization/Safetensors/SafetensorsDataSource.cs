namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>
/// Fills <paramref name="destination"/> with a tensor's packed bytes starting at <paramref name="byteOffset"/>.
/// The writer asks for whole elements, in order, a chunk at a time.
/// </summary>
public delegate void SafetensorsDataSource(long byteOffset, Span<byte> destination);
