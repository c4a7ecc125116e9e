using System.Globalization;
using System.Text.Json;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Training.Autograd;

namespace MiniGpt5.Training.Optim;

/// <summary>
/// torch.optim.AdamW (torch 1.13, single-tensor, amsgrad off), per parameter with a gradient:
/// <code>
/// step += 1
/// p  ← p·(1 − lr·wd)
/// m  ← β₁·m + (1 − β₁)·g
/// v  ← β₂·v + (1 − β₂)·g²
/// p  ← p − lr/(1 − β₁^step) · m / (√v / √(1 − β₂^step) + ε)
/// </code>
/// Parameters without a gradient are skipped entirely (no decay, no step), as torch does. State lives beside the
/// parameter (same device) and is saved/loaded as safetensors keyed by parameter name.
/// </summary>
public sealed class AdamW : IDisposable
{
    private const string StepCountsKey = "adamw.steps";
    private readonly Dictionary<Parameter, MomentState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>An optimizer over <paramref name="groups"/>; parameter names must be unique across groups.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = groups.ToList();
        Options = options ?? new AdamWOptions();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var group in Groups)
        {
            foreach (var (name, parameter) in group.Parameters)
            {
                if (!names.Add(name) || !seen.Add(parameter))
                {
                    throw new ArgumentException($"AdamW: parameter '{name}' appears in more than one group.", nameof(groups));
                }
            }
        }
    }

    /// <summary>The parameter groups, in order.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>β₁, β₂, ε.</summary>
    public AdamWOptions Options { get; }

    /// <summary>The number of updates applied to <paramref name="parameter"/> so far (0 before its first).</summary>
    public long StepCount(Parameter parameter) => _state.TryGetValue(parameter, out var state) ? state.Step : 0;

    /// <summary>Applies one update to every parameter that has a gradient in <paramref name="gradients"/>.</summary>
    public void Step(GradientStore gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        using var noGrad = GradMode.NoGrad();
        foreach (var group in Groups)
        {
            foreach (var (name, parameter) in group.Parameters)
            {
                if (gradients.Get(parameter) is not { } gradient)
                {
                    continue;
                }

                Update(name, parameter, gradient, group.LearningRate, group.WeightDecay);
            }
        }
    }

    private void Update(string name, Parameter parameter, Tensor gradient, double lr, double weightDecay)
    {
        var p = parameter.Value;
        if (p.DType != DType.Float32 || !p.IsContiguous || !p.Storage.IsWritable)
        {
            throw new InvalidOperationException(
                $"AdamW: parameter '{name}' ({p}) must be a writable contiguous float32 tensor; prepare it with ParameterLeaves.Prepare.");
        }

        if (!_state.TryGetValue(parameter, out var state))
        {
            state = new MomentState(Tensor.Zeros(p.Shape, DType.Float32, p.Device).DetachFromScope(), Tensor.Zeros(p.Shape, DType.Float32, p.Device).DetachFromScope());
            _state[parameter] = state;
        }

        state.Step++;
        var (beta1, beta2, eps) = (Options.Beta1, Options.Beta2, Options.Epsilon);
        using var scope = TensorScope.Enter();
        if (weightDecay != 0)
        {
            Ops.MulInPlace(p, 1 - (lr * weightDecay));
        }

        var scratch = Tensor.Empty(p.Shape, DType.Float32, p.Device);
        Ops.MulInPlace(state.ExpAvg, beta1);
        Ops.Mul(gradient, 1 - beta1, scratch);
        Ops.AddInPlace(state.ExpAvg, scratch);

        Ops.MulInPlace(state.ExpAvgSq, beta2);
        Ops.Mul(gradient, gradient, scratch);
        Ops.MulInPlace(scratch, 1 - beta2);
        Ops.AddInPlace(state.ExpAvgSq, scratch);

        var biasCorrection1 = 1 - Math.Pow(beta1, state.Step);
        var biasCorrection2 = 1 - Math.Pow(beta2, state.Step);
        var stepSize = lr / biasCorrection1;
        // denom = √v / √(1 − β₂^t) + ε; p ← p − step_size · m / denom.
        Ops.Sqrt(state.ExpAvgSq, scratch);
        Ops.Div(scratch, Math.Sqrt(biasCorrection2), scratch);
        Ops.AddInPlace(scratch, eps);
        Ops.Div(state.ExpAvg, scratch, scratch);
        Ops.MulInPlace(scratch, -stepSize);
        Ops.AddInPlace(p, scratch);
    }

    /// <summary>
    /// Writes the optimizer state (first/second moments per parameter name and each parameter's step count) as one
    /// safetensors file, atomically.
    /// </summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        var host = new List<Tensor>();
        try
        {
            var entries = new List<SafetensorsWriteEntry>();
            var steps = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (name, parameter) in AllParameters())
            {
                if (!_state.TryGetValue(parameter, out var state))
                {
                    continue;
                }

                steps[name] = state.Step;
                foreach (var (suffix, tensor) in new[] { ("exp_avg", state.ExpAvg), ("exp_avg_sq", state.ExpAvgSq) })
                {
                    var cpu = tensor.To(Device.Cpu).DetachFromScope();
                    host.Add(cpu);
                    entries.Add(SafetensorsWriteEntry.FromTensor($"{name}.{suffix}", cpu));
                }
            }

            var metadata = new Dictionary<string, string>
            {
                ["format"] = "minigpt5-adamw",
                [StepCountsKey] = JsonSerializer.Serialize(steps),
            };
            await SafetensorsWriter.WriteFileAsync(path, entries, metadata, overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var tensor in host)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Restores state written by <see cref="SaveAsync"/>. Every saved parameter must exist here with the same shape;
    /// the whole file is checked before anything changes.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is not an AdamW state file or does not fit these groups.</exception>
    public void Load(string path)
    {
        using var set = CheckpointSet.Open(path);
        if (!set.Metadata.TryGetValue(StepCountsKey, out var stepsJson))
        {
            throw new CheckpointFormatException(path, null, $"is not an AdamW state file (no '{StepCountsKey}' metadata).");
        }

        var steps = JsonSerializer.Deserialize<Dictionary<string, long>>(stepsJson)
            ?? throw new CheckpointFormatException(path, null, $"has unreadable '{StepCountsKey}' metadata.");
        var byName = AllParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var restored = new List<(Parameter Parameter, MomentState State)>();
        try
        {
            foreach (var (name, step) in steps)
            {
                if (!byName.TryGetValue(name, out var parameter))
                {
                    throw new CheckpointFormatException(path, name, "holds optimizer state for a parameter that no parameter group has.");
                }

                var m = ReadMoment(set, path, $"{name}.exp_avg", parameter);
                var v = ReadMoment(set, path, $"{name}.exp_avg_sq", parameter);
                restored.Add((parameter, new MomentState(m, v) { Step = step }));
            }
        }
        catch
        {
            foreach (var (_, state) in restored)
            {
                state.Dispose();
            }

            throw;
        }

        foreach (var state in _state.Values)
        {
            state.Dispose();
        }

        _state.Clear();
        foreach (var (parameter, state) in restored)
        {
            _state[parameter] = state;
        }
    }

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose()
    {
        foreach (var state in _state.Values)
        {
            state.Dispose();
        }

        _state.Clear();
    }

    private IEnumerable<(string Name, Parameter Parameter)> AllParameters() => Groups.SelectMany(g => g.Parameters);

    private static Tensor ReadMoment(CheckpointSet set, string path, string key, Parameter parameter)
    {
        if (!set.TryGetValue(key, out var saved))
        {
            throw new CheckpointFormatException(path, key, "is missing from the optimizer state.");
        }

        if (saved.DType != DType.Float32 || !saved.Shape.Select(d => (int)d).SequenceEqual(parameter.Value.ShapeArray()))
        {
            throw new CheckpointFormatException(
                path,
                key,
                string.Create(CultureInfo.InvariantCulture, $"is {saved.DType.TorchName()} [{string.Join(", ", saved.Shape)}], but the parameter is float32 [{string.Join(", ", parameter.Value.ShapeArray())}]."));
        }

        using var view = Tensor.FromStorage(saved.Storage, saved.DType, saved.Shape, saved.Strides, saved.ElementOffset);
        using var copy = view.Clone();
        return copy.To(parameter.Value.Device).DetachFromScope();
    }

    private sealed class MomentState(Tensor expAvg, Tensor expAvgSq) : IDisposable
    {
        public Tensor ExpAvg { get; } = expAvg;

        public Tensor ExpAvgSq { get; } = expAvgSq;

        public long Step { get; set; }

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
