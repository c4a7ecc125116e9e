using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Nn;

/// <summary>
/// Base of every network block. Parameters, buffers and child modules are registered under the names the
/// published checkpoints use (diffusers, Hugging Face, LAVIS, MiniGPT-5), so <see cref="Load"/> maps a state dict
/// onto the module tree with no renaming table, and <see cref="NamedParameters"/> yields exactly the keys
/// PyTorch's <c>state_dict()</c> would. Each subclass builds its children in the constructor and exposes its own
/// strongly typed <c>Forward</c>; there is deliberately no common forward signature.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<Parameter> _parameters = [];
    private readonly List<Parameter> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private bool _disposed;

    /// <summary>Training mode switches dropout on; inference is the default.</summary>
    public bool IsTraining { get; private set; }

    /// <summary>Parameters of this module and all its children, with dotted names ("down_blocks.0.resnets.1.conv1.weight").</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var parameter in _parameters)
        {
            yield return (prefix + parameter.Name, parameter);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.NamedParameters(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    /// <summary>Persistent buffers (non-learnable state that checkpoints carry, e.g. position ids), dotted names.</summary>
    public IEnumerable<(string Name, Parameter Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var buffer in _buffers)
        {
            yield return (prefix + buffer.Name, buffer);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.NamedBuffers(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    /// <summary>Every tensor a checkpoint of this module holds: parameters then buffers.</summary>
    public IEnumerable<(string Name, Parameter Tensor)> StateDict(string prefix = "") =>
        NamedParameters(prefix).Concat(NamedBuffers(prefix));

    /// <summary>Direct children with their names.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => _children;

    /// <summary>Total number of parameter elements (buffers excluded).</summary>
    public long ParameterCount() => NamedParameters().Sum(p => p.Parameter.Value.NumElements);

    /// <summary>Sets training mode on this module and every child.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children)
        {
            child.Train(training);
        }
    }

    /// <summary>Marks every parameter of this subtree trainable or frozen.</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var (_, parameter) in NamedParameters())
        {
            parameter.Trainable = trainable;
        }
    }

    /// <summary>
    /// Loads tensors by name from <paramref name="source"/> (a <see cref="CheckpointSet"/> or any name map),
    /// reading key <c>prefix + name</c> for every parameter and buffer. With <see cref="LoadOptions.Strict"/>
    /// (the default) missing keys, unexpected keys under the prefix and shape mismatches are all reported in one
    /// <see cref="CheckpointKeyMismatchException"/> before anything is assigned, so a failed load changes nothing.
    /// Tensors whose dtype already matches are viewed zero-copy (memory-mapped safetensors stay on disk).
    /// </summary>
    public void Load(IReadOnlyDictionary<string, CheckpointTensor> source, string prefix = "", LoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= LoadOptions.Default;
        var targets = StateDict(prefix).ToList();
        var expected = targets.Select(t => new ExpectedTensor(t.Name, ToLongs(t.Tensor.Shape))).ToList();
        var underPrefix = prefix.Length == 0 ? source : new PrefixView(source, prefix);
        var report = CheckpointKeyMatcher.Match(underPrefix, expected, options.KeyMatch);
        // Non-strict loading forgives missing and unexpected keys, never a wrong shape.
        var failure = options.Strict ? report : report with { Missing = [], Unexpected = [] };
        if (!failure.IsMatch)
        {
            throw new CheckpointKeyMismatchException(SourceName(source), failure, options.KeyMatch.MaxNamesListed);
        }

        // Build every new value first; only then assign, so an exception leaves the module as it was.
        var loaded = new List<(Parameter Target, Tensor Value)>(targets.Count);
        try
        {
            foreach (var (name, target) in targets)
            {
                if (!source.TryGetValue(name, out var tensor))
                {
                    continue;
                }

                var dtype = options.DType ?? target.Value.DType;
                loaded.Add((target, ToTensor(tensor, dtype, options.CopyIntoMemory)));
            }
        }
        catch
        {
            foreach (var (_, value) in loaded)
            {
                value.Dispose();
            }

            throw;
        }

        foreach (var (target, value) in loaded)
        {
            target.Assign(value);
        }
    }

    /// <summary>Casts every floating-point parameter and buffer to <paramref name="dtype"/> (e.g. bf16 weights).</summary>
    public void ConvertTo(DType dtype)
    {
        foreach (var (_, parameter) in StateDict())
        {
            if (parameter.Value.DType.IsFloatingPoint() && parameter.Value.DType != dtype)
            {
                parameter.Assign(parameter.Value.To(dtype));
            }
        }
    }

    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/> (the CUDA backend, say); those already there are
    /// left alone. Inputs must then be on the same device: ops do not move tensors between devices by themselves.
    /// </summary>
    public void MoveTo(Device device)
    {
        foreach (var (_, parameter) in StateDict())
        {
            if (parameter.Value.Device != device)
            {
                parameter.Assign(parameter.Value.To(device));
            }
        }
    }

    /// <summary>
    /// Fills parameters with PyTorch's default initialisation for training from scratch (each layer type
    /// overrides <see cref="ResetParameters"/>): children first, in registration order, then the module's own
    /// <see cref="ResetParameters"/>, so one seed always gives the same weights and a parent may re-initialise its
    /// children's parameters afterwards, as PyTorch's constructors do (nn.MultiheadAttention zeroes its out_proj bias,
    /// nn.Transformer re-draws every matrix Xavier-uniform after building its layers).
    /// </summary>
    public void InitializeWeights(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        foreach (var (_, child) in _children)
        {
            child.InitializeWeights(generator);
        }

        ResetParameters(generator);
    }

    /// <summary>Initialises this module's own parameters, after its children (it may override theirs). The base class leaves them as they are.</summary>
    protected virtual void ResetParameters(Generator generator)
    {
    }

    /// <summary>Disposes every parameter, buffer and child.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees owned tensors. Subclasses that hold extra tensors (caches) override and call base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var parameter in _parameters.Concat(_buffers))
        {
            parameter.Dispose();
        }

        foreach (var (_, child) in _children)
        {
            child.Dispose();
        }
    }

    /// <summary>Registers a child module under its published name and returns it.</summary>
    protected T Child<T>(string name, T module)
        where T : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        if (_children.Any(c => c.Name == name))
        {
            throw new InvalidOperationException($"{GetType().Name} already has a child named '{name}'.");
        }

        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Registers a learnable parameter, zero-initialised with the given shape (float32 unless said otherwise).
    /// Weights come from <see cref="Load"/> or from <see cref="InitializeWeights"/> when training from scratch.
    /// </summary>
    protected Parameter Param(string name, int[] shape, DType dtype = DType.Float32, bool trainable = true)
    {
        var parameter = new Parameter(name, Tensor.Zeros(shape, dtype).DetachFromScope(), trainable);
        _parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Registers a persistent buffer (saved and loaded, never trained).</summary>
    protected Parameter Buffer(string name, Tensor value)
    {
        var buffer = new Parameter(name, value.DetachFromScope(), trainable: false);
        _buffers.Add(buffer);
        return buffer;
    }

    private static Tensor ToTensor(CheckpointTensor source, DType dtype, bool copyIntoMemory)
    {
        using var view = Tensor.FromStorage(source.Storage, source.DType, source.Shape, source.Strides, source.ElementOffset);
        if (copyIntoMemory)
        {
            return Tensor.ResidentCopy(view, dtype).DetachFromScope();
        }

        // Same dtype and contiguous: keep the zero-copy view (it holds its own storage reference).
        if (source.DType == dtype && view.IsContiguous)
        {
            return view.Alias().DetachFromScope();
        }

        return view.To(dtype).Contiguous().DetachFromScope();
    }

    private static long[] ToLongs(ReadOnlySpan<int> shape)
    {
        var result = new long[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            result[i] = shape[i];
        }

        return result;
    }

    private static string SourceName(IReadOnlyDictionary<string, CheckpointTensor> source) =>
        source is CheckpointSet set ? set.Source : source.Values.FirstOrDefault()?.SourceFile ?? "(state dict)";

    /// <summary>The keys of a state dict that start with a prefix, so key matching sees only this module's part.</summary>
    private sealed class PrefixView(IReadOnlyDictionary<string, CheckpointTensor> inner, string prefix)
        : IReadOnlyDictionary<string, CheckpointTensor>
    {
        private readonly List<KeyValuePair<string, CheckpointTensor>> _items =
            inner.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();

        public CheckpointTensor this[string key] => inner[key];

        public IEnumerable<string> Keys => _items.Select(kv => kv.Key);

        public IEnumerable<CheckpointTensor> Values => _items.Select(kv => kv.Value);

        public int Count => _items.Count;

        public bool ContainsKey(string key) => key.StartsWith(prefix, StringComparison.Ordinal) && inner.ContainsKey(key);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out CheckpointTensor value)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return inner.TryGetValue(key, out value);
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, CheckpointTensor>> GetEnumerator() => _items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
