using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>
/// One learnable tensor of a module, registered under its published checkpoint name (e.g. "weight").
/// The module owns the value and disposes it; loading replaces the value.
/// </summary>
public sealed class Parameter : IDisposable
{
    private Tensor _value;

    internal Parameter(string name, Tensor value, bool trainable)
    {
        Name = name;
        _value = value;
        Trainable = trainable;
    }

    /// <summary>The name within its module ("weight", "bias", "q_bias").</summary>
    public string Name { get; }

    /// <summary>The current value. Replaced, not mutated, by <see cref="Assign"/>.</summary>
    public Tensor Value => _value;

    /// <summary>The declared shape, which every assigned value must have.</summary>
    public ReadOnlySpan<int> Shape => _value.Shape;

    /// <summary>
    /// Whether an optimizer should update it. Frozen parameters (the SD UNet, the LLaMA body in stage 1) stay
    /// registered so they load and save by name, but never get gradients.
    /// </summary>
    public bool Trainable { get; set; }

    /// <summary>Replaces the value with <paramref name="value"/> (same shape), disposing the old one.</summary>
    public void Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Shape.SequenceEqual(_value.Shape))
        {
            throw new ArgumentException(
                $"Parameter '{Name}' has shape [{string.Join(", ", _value.ShapeArray())}]; cannot assign a tensor of shape [{string.Join(", ", value.ShapeArray())}].",
                nameof(value));
        }

        var old = _value;
        _value = value.DetachFromScope();
        if (!ReferenceEquals(old, value))
        {
            old.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _value.Dispose();
}
