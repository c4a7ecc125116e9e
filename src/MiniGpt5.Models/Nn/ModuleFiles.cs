using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Models.Nn;

/// <summary>Saving and loading a module tree as safetensors under its published key names.</summary>
public static class ModuleFiles
{
    /// <summary>
    /// Writes every parameter and buffer of <paramref name="module"/> (keys prefixed by <paramref name="prefix"/>)
    /// to <paramref name="path"/> atomically (temporary file, then rename). Refuses to replace an existing file
    /// unless <paramref name="overwrite"/> is set.
    /// </summary>
    public static async Task SaveAsync(
        Module module,
        string path,
        string prefix = "",
        IReadOnlyDictionary<string, string>? metadata = null,
        bool overwrite = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        var packed = new List<Tensor>();
        try
        {
            var entries = new List<SafetensorsWriteEntry>();
            foreach (var (name, parameter) in module.StateDict(prefix))
            {
                var cpu = parameter.Value.Device.Kind == DeviceKind.Cpu ? parameter.Value.Contiguous() : parameter.Value.To(Device.Cpu);
                packed.Add(cpu.DetachFromScope());
                entries.Add(SafetensorsWriteEntry.FromTensor(name, cpu));
            }

            await SafetensorsWriter.WriteFileAsync(path, entries, metadata, overwrite, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var tensor in packed)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Opens <paramref name="path"/> (file or folder) and loads it into <paramref name="module"/>.</summary>
    public static void Load(Module module, string path, string prefix = "", LoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var set = CheckpointSet.Open(path);
        module.Load(set, prefix, options);
    }
}
