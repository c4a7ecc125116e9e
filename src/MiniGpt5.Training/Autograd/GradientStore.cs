using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// The <c>.grad</c> slots of leaf tensors (parameters, or any tensor marked <see cref="Tensor.RequiresGrad"/> that no
/// recorded op produced), keyed by the tensor object. <see cref="GradientTape.Backward"/> adds into it, so several
/// backward passes (micro-batches) accumulate until <see cref="ZeroGrad"/>. Every gradient is a float32 contiguous
/// tensor this store owns, whatever the leaf's dtype (float32 master gradients).
/// </summary>
public sealed class GradientStore : IDisposable
{
    private readonly Dictionary<Tensor, Tensor> _gradients = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();

    /// <summary>Number of leaves holding a gradient.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _gradients.Count;
            }
        }
    }

    /// <summary>The accumulated gradient of <paramref name="leaf"/>, or null when none reached it.</summary>
    public Tensor? Get(Tensor leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        lock (_gate)
        {
            return _gradients.GetValueOrDefault(leaf);
        }
    }

    /// <summary>The gradient of a parameter's current value, or null.</summary>
    public Tensor? Get(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return Get(parameter.Value);
    }

    /// <summary>Every (leaf, gradient) pair.</summary>
    public IReadOnlyList<(Tensor Leaf, Tensor Gradient)> Entries()
    {
        lock (_gate)
        {
            return _gradients.Select(kv => (kv.Key, kv.Value)).ToList();
        }
    }

    /// <summary>Sets (replaces) the gradient of <paramref name="leaf"/>; the store takes a float32 contiguous copy.</summary>
    public void Set(Tensor leaf, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(gradient);
        CheckShape(leaf, gradient);
        var copy = OwnedCopy(gradient);
        lock (_gate)
        {
            if (_gradients.Remove(leaf, out var old))
            {
                old.Dispose();
            }

            _gradients[leaf] = copy;
        }
    }

    /// <summary>Adds <paramref name="gradient"/> into the slot of <paramref name="leaf"/>.</summary>
    public void Accumulate(Tensor leaf, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(gradient);
        CheckShape(leaf, gradient);
        using var noGrad = GradMode.NoGrad();
        lock (_gate)
        {
            if (_gradients.TryGetValue(leaf, out var existing))
            {
                Ops.AddInPlace(existing, gradient);
            }
            else
            {
                _gradients[leaf] = OwnedCopy(gradient);
            }
        }
    }

    /// <summary>Drops the gradient of one leaf.</summary>
    public void Remove(Tensor leaf)
    {
        lock (_gate)
        {
            if (_gradients.Remove(leaf, out var old))
            {
                old.Dispose();
            }
        }
    }

    /// <summary>Frees every gradient (optimizer.zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        lock (_gate)
        {
            foreach (var gradient in _gradients.Values)
            {
                gradient.Dispose();
            }

            _gradients.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose() => ZeroGrad();

    private static Tensor OwnedCopy(Tensor gradient)
    {
        using var noGrad = GradMode.NoGrad();
        var copy = gradient.DType == DType.Float32 ? gradient.Clone() : gradient.To(DType.Float32);
        return copy.DetachFromScope();
    }

    private static void CheckShape(Tensor leaf, Tensor gradient)
    {
        if (!leaf.Shape.SequenceEqual(gradient.Shape))
        {
            throw new ArgumentException(
                $"Gradient of shape [{string.Join(", ", gradient.ShapeArray())}] does not match its leaf {leaf} ([{string.Join(", ", leaf.ShapeArray())}]).",
                nameof(gradient));
        }
    }
}
