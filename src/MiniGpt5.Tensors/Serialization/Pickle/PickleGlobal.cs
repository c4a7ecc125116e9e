namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// An allow-listed Python global as it appears in a pickle: a type used as a value (<c>typing.Any</c>,
/// <c>torch.float16</c>, <c>torch.FloatStorage</c>) or a constructor the reader knows how to imitate. It is a
/// name only; nothing behind it is ever run.
/// </summary>
public sealed class PickleGlobal : IEquatable<PickleGlobal>
{
    internal PickleGlobal(string module, string name, PickleGlobalKind kind, DType? dtype = null)
    {
        Module = module;
        Name = name;
        Kind = kind;
        DType = dtype;
    }

    /// <summary>Python module ("torch._utils").</summary>
    public string Module { get; }

    /// <summary>Name inside the module ("_rebuild_tensor_v2").</summary>
    public string Name { get; }

    /// <summary>"module.name".</summary>
    public string FullName => $"{Module}.{Name}";

    /// <summary>The element type, for storage types (<c>torch.HalfStorage</c>) and dtypes (<c>torch.float16</c>).</summary>
    public DType? DType { get; }

    internal PickleGlobalKind Kind { get; }

    /// <inheritdoc />
    public bool Equals(PickleGlobal? other) => other is not null && other.Module == Module && other.Name == Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PickleGlobal g && Equals(g);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Module, Name);

    /// <inheritdoc />
    public override string ToString() => FullName;
}
