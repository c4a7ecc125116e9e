namespace MiniGpt5.Tensors;

/// <summary>
/// Disposes, when it ends, every tensor created inside it (on this thread or async flow) that was not moved out,
/// like TorchSharp's DisposeScope. Model code opens one per forward pass or per layer so intermediates are freed
/// deterministically:
/// <code>
/// using var scope = TensorScope.Enter();
/// var h = Ops.Silu(Ops.Linear(x, w1));
/// return Ops.Linear(h, w2).MoveToOuterScope();
/// </code>
/// Scopes nest; <see cref="Tensor.MoveToOuterScope"/> hands a tensor to the enclosing scope (or to the caller when
/// there is none) and <see cref="Tensor.DetachFromScope"/> takes it out of scope management altogether.
/// </summary>
public sealed class TensorScope : IDisposable
{
    private static readonly AsyncLocal<TensorScope?> CurrentScope = new();

    private readonly List<Tensor> _tensors = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    private TensorScope(TensorScope? parent) => Parent = parent;

    /// <summary>The innermost open scope of this thread or async flow, if any.</summary>
    public static TensorScope? Current => CurrentScope.Value;

    /// <summary>The scope that was current when this one was entered.</summary>
    public TensorScope? Parent { get; }

    /// <summary>Number of tensors this scope will dispose (not counting ones moved out or already disposed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var tensor in _tensors)
                {
                    if (ReferenceEquals(tensor.Scope, this) && !tensor.IsDisposed)
                    {
                        count++;
                    }
                }

                return count;
            }
        }
    }

    /// <summary>Opens a scope nested in the current one and makes it current.</summary>
    public static TensorScope Enter()
    {
        var scope = new TensorScope(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Moves a tensor created in this scope (or any inner one) into this scope's enclosing scope.</summary>
    public static Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.MoveToOuterScope();
    }

    /// <summary>Registers a newly created tensor with the current scope, if any.</summary>
    internal static void Register(Tensor tensor) => CurrentScope.Value?.Adopt(tensor);

    /// <summary>Makes this scope responsible for disposing <paramref name="tensor"/>.</summary>
    internal void Adopt(Tensor tensor)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                throw new InvalidOperationException(
                    $"A tensor {tensor.Describe()} was handed to a TensorScope that has already ended. Scopes must end in the reverse order they were entered.");
            }

            tensor.Scope = this;
            _tensors.Add(tensor);
        }
    }

    /// <summary>Disposes every tensor still owned by this scope and restores the enclosing scope as current.</summary>
    public void Dispose()
    {
        List<Tensor> owned;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            owned = _tensors;
        }

        foreach (var tensor in owned)
        {
            if (ReferenceEquals(tensor.Scope, this))
            {
                tensor.Scope = null;
                tensor.Dispose();
            }
        }

        owned.Clear();
        if (ReferenceEquals(CurrentScope.Value, this))
        {
            CurrentScope.Value = Parent;
        }
    }
}
