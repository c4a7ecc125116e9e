namespace MiniGpt5.Tensors;

/// <summary>
/// PyTorch's type promotion for ops mixing dtypes: categories bool &lt; integer &lt; float; within floats f16 and bf16
/// together give f32; a 0-dim tensor (or a scalar) only changes the result when its category is higher.
/// </summary>
public static class DTypePromotion
{
    /// <summary>The dtype of <c>a op b</c> for two tensors.</summary>
    public static DType Promote(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var aScalar = a.Rank == 0;
        var bScalar = b.Rank == 0;
        if (aScalar == bScalar)
        {
            return ResultType(a.DType, b.DType);
        }

        var (dimensioned, zeroDim) = aScalar ? (b.DType, a.DType) : (a.DType, b.DType);
        return Category(zeroDim) > Category(dimensioned) ? zeroDim : dimensioned;
    }

    /// <summary>The dtype of <c>tensor op scalar</c>. A whole-number scalar keeps an integer tensor's dtype (a bool
    /// tensor becomes int64); a fractional one gives float32. Float tensors keep their dtype.</summary>
    public static DType Promote(Tensor tensor, double scalar)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = tensor.DType;
        if (dtype.IsFloatingPoint())
        {
            return dtype;
        }

        var whole = scalar == Math.Floor(scalar) && !double.IsInfinity(scalar);
        if (!whole)
        {
            return DType.Float32;
        }

        return dtype == DType.Bool ? DType.Int64 : dtype;
    }

    /// <summary>torch.promote_types for two dtypes.</summary>
    public static DType ResultType(DType a, DType b)
    {
        if (a == b)
        {
            return a;
        }

        var ca = Category(a);
        var cb = Category(b);
        if (ca != cb)
        {
            return ca > cb ? a : b;
        }

        if (ca == 2)
        {
            if (a == DType.Float64 || b == DType.Float64)
            {
                return DType.Float64;
            }

            return DType.Float32;
        }

        // Two different integer types: the smallest signed type that holds both.
        if ((a == DType.UInt8 && b == DType.Int8) || (a == DType.Int8 && b == DType.UInt8))
        {
            return DType.Int16;
        }

        return a.SizeOf() >= b.SizeOf() && a != DType.UInt8 ? a : b;
    }

    private static int Category(DType dtype) => dtype == DType.Bool ? 0 : dtype.IsFloatingPoint() ? 2 : 1;
}
