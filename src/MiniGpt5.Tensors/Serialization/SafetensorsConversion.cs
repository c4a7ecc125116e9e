namespace MiniGpt5.Tensors.Serialization;

/// <summary>What a conversion to safetensors wrote.</summary>
/// <param name="OutputPath">The file written.</param>
/// <param name="TensorCount">Tensors written.</param>
/// <param name="DataBytes">Bytes of tensor data written (the file adds the header).</param>
/// <param name="ConvertedTensors">Tensors whose dtype was changed.</param>
/// <param name="MaterializedViews">Non-contiguous views (transposes, strided slices) packed densely.</param>
/// <param name="SharedStorageTensors">Tensors that shared a storage with another; each was written as its own copy.</param>
public sealed record SafetensorsConversion(
    string OutputPath,
    int TensorCount,
    long DataBytes,
    int ConvertedTensors,
    int MaterializedViews,
    int SharedStorageTensors);
