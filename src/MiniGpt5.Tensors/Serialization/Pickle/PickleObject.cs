namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// An instance of an allow-listed plain-data class (<c>argparse.Namespace</c>, OmegaConf containers,
/// <c>torch.device</c>) kept as inert data: the class name, the constructor arguments the pickle gave and
/// the state it set. No Python code is run to build it.
/// </summary>
public sealed class PickleObject
{
    internal PickleObject(string className, PickleTuple arguments)
    {
        ClassName = className;
        Arguments = arguments;
    }

    /// <summary>"module.name" of the class.</summary>
    public string ClassName { get; }

    /// <summary>Arguments passed to the class (<c>NEWOBJ</c>/<c>REDUCE</c>).</summary>
    public PickleTuple Arguments { get; }

    /// <summary>The state set by <c>BUILD</c> (usually a dictionary of attributes), or null.</summary>
    public object? State { get; internal set; }

    /// <summary>An attribute from the <see cref="State"/> dictionary, or null when absent.</summary>
    public object? GetAttribute(string name) =>
        State is PickleDictionary d && d.TryGetValue(name, out var v) ? v : null;

    /// <inheritdoc />
    public override string ToString() => ClassName;
}
