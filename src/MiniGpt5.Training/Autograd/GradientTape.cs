using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Training.Autograd.Formulas;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Reverse-mode autograd over the engine's ops. While a tape is started (<see cref="Start"/>), every op that reads a
/// tensor with <see cref="Tensor.RequiresGrad"/> becomes a node that keeps only what its backward needs; its outputs
/// are marked as requiring grad. <see cref="Backward"/> walks the nodes reachable from a loss in reverse creation
/// order and accumulates the gradients of leaves (trainable parameters) into a <see cref="GradientStore"/>.
/// </summary>
/// <remarks>
/// <code>
/// using var tape = GradientTape.Start();
/// var loss = model.Loss(batch);
/// tape.Backward(loss, gradients);
/// </code>
/// A tape records one forward; after <see cref="Backward"/> its nodes have freed their saved tensors. Disposing it
/// uninstalls it and clears the marks it put on tensors that are still alive. Ops under
/// <see cref="GradMode.NoGrad"/> are not recorded. In-place writes into tensors that the graph depends on are refused
/// when they happen (<see cref="UnsupportedGradientException"/>); writes into storage that only an untracked view
/// shares cannot be seen and are the caller's responsibility, as in PyTorch without version counters.
/// </remarks>
public sealed class GradientTape : IOpRecorder, IDisposable
{
    private readonly List<GradFunction> _nodes = [];
    private readonly List<Tensor> _marked = [];
    private IDisposable? _installation;
    private bool _disposed;
    private long _lastRecord;

    private GradientTape()
    {
    }

    /// <summary>Number of nodes recorded so far.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Starts recording on this thread / async flow until the tape is disposed.</summary>
    public static GradientTape Start()
    {
        var tape = new GradientTape { _lastRecord = AutogradProfiler.Enabled ? AutogradProfiler.Timestamp() : 0 };
        tape._installation = OpRecorder.Install(tape);
        return tape;
    }

    /// <summary>The tape recording on this flow, if any.</summary>
    public static GradientTape? Current => OpRecorder.Current as GradientTape;

    /// <inheritdoc />
    void IOpRecorder.Record(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (AutogradProfiler.Enabled)
        {
            var now = AutogradProfiler.Timestamp();
            if (_lastRecord != 0)
            {
                AutogradProfiler.AddForward(kind.ToString(), _lastRecord);
            }

            _lastRecord = now;
        }

        if (OpGradients.IsNonDifferentiable(kind) || !AnyFloat(outputs))
        {
            return;
        }

        var edges = new GradEdge?[inputs.Length];
        var any = false;
        for (var i = 0; i < inputs.Length; i++)
        {
            edges[i] = GradEdge.For(inputs[i]);
            any |= edges[i] is not null;
        }

        if (!any)
        {
            return;
        }

        CheckOutputsAreFresh(kind, inputs, outputs);
        var node = OpGradFunction.Create(kind, inputs, outputs, attributes, edges);
        Attach(node, outputs);
    }

    /// <summary>Adds a node built outside the recorder (an activation checkpoint) and marks its outputs.</summary>
    internal void Attach(GradFunction node, ReadOnlySpan<Tensor> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _nodes.Add(node);
        for (var i = 0; i < outputs.Length; i++)
        {
            if (outputs[i].DType.IsFloatingPoint())
            {
                outputs[i].RequiresGrad = true;
                outputs[i].GradNode = new GradOutput(node, i);
                _marked.Add(outputs[i]);
            }
        }
    }

    /// <summary>
    /// Back-propagates from <paramref name="output"/> (a scalar loss, or any tensor with an explicit
    /// <paramref name="outputGradient"/> of its shape) and adds the gradients of every leaf reached into
    /// <paramref name="gradients"/>. Frees the saved tensors of every node it passes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The output does not depend on anything that requires grad, or the
    /// graph was already back-propagated.</exception>
    public void Backward(Tensor output, GradientStore gradients, Tensor? outputGradient = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(gradients);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Run(output, gradients, outputGradient);
    }

    /// <summary>The backward engine, shared with activation checkpoints (which run it on a nested tape).</summary>
    internal static void Run(Tensor output, GradientStore gradients, Tensor? outputGradient)
    {
        if (!output.RequiresGrad)
        {
            throw new InvalidOperationException(
                $"Backward: {output} does not require grad; no recorded op connects it to a trainable parameter (was the forward run under a GradientTape, outside GradMode.NoGrad, with trainable parameters marked?).");
        }

        if (outputGradient is null && output.NumElements != 1)
        {
            throw new ArgumentException(
                $"Backward: {output} has {output.NumElements} elements; pass an output gradient of its shape (only a scalar loss has an implicit gradient of 1).",
                nameof(outputGradient));
        }

        if (outputGradient is not null && !outputGradient.Shape.SequenceEqual(output.Shape))
        {
            throw new ArgumentException(
                $"Backward: the output gradient {outputGradient} does not have the shape of {output}.", nameof(outputGradient));
        }

        using var noGrad = GradMode.NoGrad();
        var seed = outputGradient is null
            ? Tensor.Ones(output.Shape, DType.Float32, output.Device).DetachFromScope()
            : (outputGradient.DType == DType.Float32 ? outputGradient.Alias() : outputGradient.To(DType.Float32)).DetachFromScope();
        if (output.GradNode is not GradOutput root)
        {
            // The output is itself a leaf.
            using (seed)
            {
                gradients.Accumulate(output, seed);
            }

            return;
        }

        if (root.Function.IsReleased)
        {
            seed.Dispose();
            throw new InvalidOperationException(
                $"Backward: the graph behind {output} was already back-propagated and its saved tensors freed; record the forward again.");
        }

        var order = ReachableInReverseOrder(root.Function);
        var pending = new Dictionary<GradFunction, Tensor?[]>(ReferenceEqualityComparer.Instance);
        var rootSlots = new Tensor?[root.Function.OutputShapes.Length];
        rootSlots[root.Index] = seed;
        pending[root.Function] = rootSlots;
        var context = new BackwardContext(gradients);
        try
        {
            foreach (var function in order)
            {
                if (!pending.Remove(function, out var outputGradients))
                {
                    function.Release();
                    continue;
                }

                Tensor?[] inputGradients;
                var started = AutogradProfiler.Enabled ? AutogradProfiler.Timestamp() : 0;
                using (TensorScope.Enter())
                {
                    inputGradients = function.Backward(context, outputGradients);
                    if (started != 0)
                    {
                        AutogradProfiler.AddBackward(function is OpGradFunction op ? op.Kind.ToString() : function.GetType().Name, started);
                    }

                    foreach (var gradient in inputGradients)
                    {
                        gradient?.DetachFromScope();
                    }
                }

                try
                {
                    Route(function, inputGradients, pending, gradients);
                }
                finally
                {
                    foreach (var gradient in inputGradients)
                    {
                        gradient?.Dispose();
                    }

                    SavedTensors.Dispose(outputGradients);
                    function.Release();
                }
            }
        }
        finally
        {
            foreach (var slots in pending.Values)
            {
                SavedTensors.Dispose(slots);
            }
        }
    }

    /// <summary>Uninstalls the tape, frees what its nodes still hold, and unmarks the tensors it marked.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _installation?.Dispose();
        foreach (var node in _nodes)
        {
            node.Release();
        }

        foreach (var tensor in _marked)
        {
            if (tensor.GradNode is GradOutput output && _nodes.Contains(output.Function))
            {
                tensor.GradNode = null;
                tensor.RequiresGrad = false;
            }
        }

        _nodes.Clear();
        _marked.Clear();
    }

    private static void Route(GradFunction function, Tensor?[] inputGradients, Dictionary<GradFunction, Tensor?[]> pending, GradientStore gradients)
    {
        if (inputGradients.Length != function.Edges.Length)
        {
            throw new InvalidOperationException(
                $"Autograd: the backward of {function.Name} returned {inputGradients.Length} gradients for {function.Edges.Length} inputs.");
        }

        for (var i = 0; i < inputGradients.Length; i++)
        {
            var gradient = inputGradients[i];
            var edge = function.Edges[i];
            if (gradient is null || edge is null)
            {
                continue;
            }

            var expected = edge.Leaf is { } leaf ? leaf.ShapeArray() : edge.Function!.OutputShapes[edge.OutputIndex];
            if (!gradient.Shape.SequenceEqual(expected))
            {
                throw new InvalidOperationException(
                    $"Autograd: the backward of {function.Name} gave input {i} a gradient of shape [{string.Join(", ", gradient.ShapeArray())}], but the input has shape [{string.Join(", ", expected)}].");
            }

            if (edge.Leaf is not null)
            {
                gradients.Accumulate(edge.Leaf, gradient);
                continue;
            }

            var producer = edge.Function!;
            if (!pending.TryGetValue(producer, out var slots))
            {
                slots = new Tensor?[producer.OutputShapes.Length];
                pending[producer] = slots;
            }

            var typed = gradient.DType == DType.Float32 ? gradient.Alias() : gradient.To(DType.Float32);
            typed.DetachFromScope();
            if (slots[edge.OutputIndex] is { } existing)
            {
                // Out of place: the same gradient tensor may have been routed to another node as well.
                var sum = Ops.Add(existing, typed).DetachFromScope();
                existing.Dispose();
                typed.Dispose();
                slots[edge.OutputIndex] = sum;
            }
            else
            {
                slots[edge.OutputIndex] = typed;
            }
        }
    }

    private static List<GradFunction> ReachableInReverseOrder(GradFunction root)
    {
        var seen = new HashSet<GradFunction>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<GradFunction>();
        stack.Push(root);
        var order = new List<GradFunction>();
        while (stack.Count > 0)
        {
            var function = stack.Pop();
            order.Add(function);
            foreach (var edge in function.Edges)
            {
                if (edge?.Function is { } producer && seen.Add(producer))
                {
                    stack.Push(producer);
                }
            }
        }

        order.Sort((a, b) => b.Sequence.CompareTo(a.Sequence));
        return order;
    }

    private static bool AnyFloat(ReadOnlySpan<Tensor> outputs)
    {
        foreach (var output in outputs)
        {
            if (output.DType.IsFloatingPoint())
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckOutputsAreFresh(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs)
    {
        foreach (var output in outputs)
        {
            foreach (var input in inputs)
            {
                if (ReferenceEquals(output, input))
                {
                    throw new UnsupportedGradientException(
                        kind,
                        $"Autograd: in-place {kind} on {output}, which {(input.RequiresGrad ? "requires grad" : "is combined with a tensor that requires grad")}, cannot be differentiated; use the out-of-place op.");
                }
            }

            if (OpGradients.IsView(kind))
            {
                continue;
            }

            // Every tensor object viewing a storage holds a reference, so a count above one means another tensor
            // (a view, an alias saved for a backward) sees these elements: writing them behind the graph's back
            // would silently change values the gradient depends on.
            if (output.RequiresGrad || output.Storage.ReferenceCount > 1)
            {
                throw new UnsupportedGradientException(
                    kind,
                    $"Autograd: {kind} writes its result into {output}, which {(output.RequiresGrad ? "the graph already uses" : "shares its memory with another tensor")}; " +
                    "writing into an existing buffer or into part of a tensor cannot be differentiated. Build the result out of place (e.g. Ops.Cat instead of CopyInto a slice).");
            }
        }
    }
}
