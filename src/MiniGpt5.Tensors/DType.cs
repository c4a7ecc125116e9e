namespace MiniGpt5.Tensors;

/// <summary>
/// Element types a tensor can hold. The first six are the compute types of the engine; the rest exist so
/// that checkpoints holding them (float64 buffers, uint8 masks) can be read and converted, and ops refuse them
/// with a clear error.
/// </summary>
public enum DType : byte
{
    Float32,
    Float16,
    BFloat16,
    Int32,
    Int64,
    Bool,
    Float64,
    UInt8,
    Int8,
    Int16,
}

/// <summary>Facts about each <see cref="DType"/>: size in bytes and the names other formats use for it.</summary>
public static class DTypeInfo
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float16 or DType.BFloat16 or DType.Int16 => 2,
        DType.Int64 or DType.Float64 => 8,
        DType.Bool or DType.UInt8 or DType.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float32 or DType.Float16 or DType.BFloat16 or DType.Float64;

    /// <summary>The safetensors header name ("F32", "BF16", ...).</summary>
    public static string SafetensorsName(this DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        DType.Float64 => "F64",
        DType.UInt8 => "U8",
        DType.Int8 => "I8",
        DType.Int16 => "I16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Parses a safetensors dtype name; returns false for names this engine does not know.</summary>
    public static bool TryParseSafetensorsName(string name, out DType dtype)
    {
        DType? parsed = name switch
        {
            "F32" => DType.Float32,
            "F16" => DType.Float16,
            "BF16" => DType.BFloat16,
            "I32" => DType.Int32,
            "I64" => DType.Int64,
            "BOOL" => DType.Bool,
            "F64" => DType.Float64,
            "U8" => DType.UInt8,
            "I8" => DType.Int8,
            "I16" => DType.Int16,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The PyTorch name ("float32", "bfloat16", ...), used in error messages and goldens.</summary>
    public static string TorchName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float16 => "float16",
        DType.BFloat16 => "bfloat16",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        DType.Float64 => "float64",
        DType.UInt8 => "uint8",
        DType.Int8 => "int8",
        DType.Int16 => "int16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };
}
