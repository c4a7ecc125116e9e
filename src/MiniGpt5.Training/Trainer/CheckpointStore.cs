using System.Globalization;
using System.Text.Json;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Training.Optim;

namespace MiniGpt5.Training.Trainer;

/// <summary>
/// Resumable checkpoints under <c>&lt;out&gt;/checkpoints/step-NNNNNNNN/</c>: the trainable parameters
/// (<c>model.safetensors</c>, float32, by name), the optimizer state (<c>optimizer.safetensors</c>) and
/// <c>trainer_state.json</c>. A checkpoint is written into a hidden temporary folder and renamed into place, so a
/// folder with the final name is always complete.
/// </summary>
public sealed class CheckpointStore(string outputDirectory)
{
    /// <summary>Model file in a checkpoint folder.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>Optimizer file in a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>Trainer state file in a checkpoint folder.</summary>
    public const string StateFile = "trainer_state.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The folder holding checkpoint folders.</summary>
    public string Root { get; } = Path.Combine(outputDirectory, "checkpoints");

    /// <summary>The folder of the checkpoint after <paramref name="step"/> steps.</summary>
    public string PathFor(long step) => Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"step-{step:D8}"));

    /// <summary>Complete checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var found = new List<(long, string)>();
        foreach (var folder in Directory.EnumerateDirectories(Root, "step-*"))
        {
            var name = System.IO.Path.GetFileName(folder);
            if (long.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var step) && File.Exists(System.IO.Path.Combine(folder, StateFile)))
            {
                found.Add((step, folder));
            }
        }

        return found.OrderBy(f => f.Item1).ToList();
    }

    /// <summary>The newest complete checkpoint, if any.</summary>
    public (long Step, string Path)? Latest() => List() is { Count: > 0 } all ? all[^1] : null;

    /// <summary>Writes a checkpoint atomically and deletes all but the newest <paramref name="keep"/>.</summary>
    public async Task<string> SaveAsync(
        TrainerState state, IReadOnlyList<(string Name, Parameter Parameter)> parameters, AdamW optimizer, int keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        Directory.CreateDirectory(Root);
        var final = PathFor(state.Step);
        var temporary = System.IO.Path.Combine(Root, $".step-{state.Step:D8}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(temporary);
        try
        {
            await SaveParametersAsync(System.IO.Path.Combine(temporary, ModelFile), parameters, cancellationToken).ConfigureAwait(false);
            await optimizer.SaveAsync(System.IO.Path.Combine(temporary, OptimizerFile), cancellationToken).ConfigureAwait(false);
            var json = JsonSerializer.Serialize(state with { Parameters = parameters.Select(p => p.Name).ToList() }, Json);
            await File.WriteAllTextAsync(System.IO.Path.Combine(temporary, StateFile), json, cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(final))
            {
                // A checkpoint of the same step from an earlier (interrupted) run: replace it.
                Directory.Delete(final, recursive: true);
            }

            Directory.Move(temporary, final);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        foreach (var (_, old) in List().SkipLast(Math.Max(1, keep)))
        {
            TryDelete(old);
        }

        return final;
    }

    /// <summary>Reads a checkpoint's state and restores its parameters (by name, into the given parameters) and the
    /// optimizer state. Everything is checked before the first parameter changes.</summary>
    public static async Task<TrainerState> LoadAsync(
        string folder, IReadOnlyList<(string Name, Parameter Parameter)> parameters, AdamW optimizer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        var statePath = System.IO.Path.Combine(folder, StateFile);
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(await File.ReadAllTextAsync(statePath, cancellationToken).ConfigureAwait(false))
                ?? throw new CheckpointFormatException(statePath, null, "is empty.");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(statePath, null, $"is not a trainer state file: {e.Message}", e);
        }

        if (state.Format != "minigpt5-trainer" || state.Version != 1)
        {
            throw new CheckpointFormatException(statePath, null, $"has format '{state.Format}' version {state.Version}; this trainer reads minigpt5-trainer version 1.");
        }

        LoadParameters(System.IO.Path.Combine(folder, ModelFile), parameters);
        optimizer.Load(System.IO.Path.Combine(folder, OptimizerFile));
        return state;
    }

    /// <summary>Writes named parameters as float32 safetensors (atomically).</summary>
    public static async Task SaveParametersAsync(
        string path, IReadOnlyList<(string Name, Parameter Parameter)> parameters, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var host = new List<Tensor>();
        try
        {
            var entries = new List<SafetensorsWriteEntry>();
            using (GradMode.NoGrad())
            {
                foreach (var (name, parameter) in parameters)
                {
                    using var onCpu = parameter.Value.To(Device.Cpu);
                    var packed = onCpu.To(DType.Float32).Contiguous().DetachFromScope();
                    host.Add(packed);
                    entries.Add(SafetensorsWriteEntry.FromTensor(name, packed));
                }
            }

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

    /// <summary>Loads named parameters written by <see cref="SaveParametersAsync"/>; the file must hold exactly these
    /// names with these shapes (checked first, so a failure changes nothing).</summary>
    public static void LoadParameters(string path, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        using var set = CheckpointSet.Open(path);
        var expected = parameters.Select(p => new ExpectedTensor(p.Name, p.Parameter.Value.ShapeArray().Select(d => (long)d).ToArray())).ToList();
        set.EnsureMatch(expected);
        var values = new List<Tensor>();
        try
        {
            using (GradMode.NoGrad())
            {
                foreach (var (name, parameter) in parameters)
                {
                    var saved = set[name];
                    using var view = Tensor.FromStorage(saved.Storage, saved.DType, saved.Shape, saved.Strides, saved.ElementOffset);
                    using var converted = view.To(parameter.Value.DType);
                    using var copy = converted.Clone();
                    values.Add(copy.To(parameter.Value.Device).DetachFromScope());
                }
            }
        }
        catch
        {
            foreach (var value in values)
            {
                value.Dispose();
            }

            throw;
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i].Parameter;
            var requiresGrad = parameter.Value.RequiresGrad;
            parameter.Assign(values[i]);
            parameter.Value.RequiresGrad = requiresGrad;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
