using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Losses;

/// <summary>F.mse_loss(prediction, target) with mean reduction, in float32.</summary>
public static class MseLoss
{
    /// <summary>mean((prediction − target)²) over every element.</summary>
    public static Tensor Compute(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.SequenceEqual(target.Shape))
        {
            throw new TensorShapeException($"MseLoss: prediction {prediction} and target {target} differ in shape.");
        }

        using var scope = TensorScope.Enter();
        var difference = (prediction.DType == DType.Float32 ? prediction : prediction.To(DType.Float32)) - target;
        return Ops.Mean(difference * difference).MoveToOuterScope();
    }
}
