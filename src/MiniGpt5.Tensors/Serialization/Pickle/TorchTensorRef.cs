namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>A tensor (or nn.Parameter) as a pickle describes it: a strided view of a storage.</summary>
public sealed class TorchTensorRef
{
    internal TorchTensorRef(TorchStorageRef storage, long storageOffset, long[] shape, long[] strides, bool requiresGrad, bool isParameter)
    {
        Storage = storage;
        StorageOffset = storageOffset;
        Shape = shape;
        Strides = strides;
        RequiresGrad = requiresGrad;
        IsParameter = isParameter;
    }

    /// <summary>The storage the tensor views; tensors that share it share memory.</summary>
    public TorchStorageRef Storage { get; }

    /// <summary>Offset of element [0, ...] inside the storage, in elements.</summary>
    public long StorageOffset { get; }

    /// <summary>Size of each dimension.</summary>
    public long[] Shape { get; }

    /// <summary>Step between neighbours along each dimension, in elements.</summary>
    public long[] Strides { get; }

    /// <summary>The saved requires_grad flag.</summary>
    public bool RequiresGrad { get; }

    /// <summary>True when it was pickled as a torch.nn.Parameter.</summary>
    public bool IsParameter { get; }

    internal TorchTensorRef AsParameter(bool requiresGrad) => new(Storage, StorageOffset, Shape, Strides, requiresGrad, isParameter: true);

    /// <inheritdoc />
    public override string ToString() => $"tensor({Storage.DType.TorchName()}, {CheckpointTensor.FormatShape(Shape)})";
}
