namespace MiniGpt5.Tensors.Internal;

/// <summary>Which .NET element type stands for which <see cref="DType"/>.</summary>
internal static class ElementTypes
{
    /// <summary>The dtype whose elements are <typeparamref name="T"/>; throws for types with no dtype.</summary>
    public static DType DTypeOf<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return DType.Float32;
        }

        if (typeof(T) == typeof(Half))
        {
            return DType.Float16;
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return DType.BFloat16;
        }

        if (typeof(T) == typeof(int))
        {
            return DType.Int32;
        }

        if (typeof(T) == typeof(long))
        {
            return DType.Int64;
        }

        if (typeof(T) == typeof(bool))
        {
            return DType.Bool;
        }

        if (typeof(T) == typeof(double))
        {
            return DType.Float64;
        }

        if (typeof(T) == typeof(byte))
        {
            return DType.UInt8;
        }

        if (typeof(T) == typeof(sbyte))
        {
            return DType.Int8;
        }

        if (typeof(T) == typeof(short))
        {
            return DType.Int16;
        }

        throw new TensorDTypeException($"There is no tensor dtype for the .NET type {typeof(T).Name}.");
    }
}
