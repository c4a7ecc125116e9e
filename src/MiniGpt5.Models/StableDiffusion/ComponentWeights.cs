using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.StableDiffusion;

/// <summary>
/// Loads one diffusers/transformers component folder's weights (<c>diffusion_pytorch_model[.variant].safetensors</c>,
/// <c>model.safetensors</c>, <c>.bin</c>, sharded indexes) into a module built from its config, strictly: every missing,
/// unexpected or misshapen key is reported at once. safetensors of the module's dtype stay memory-mapped.
/// </summary>
public static class ComponentWeights
{
    /// <summary>
    /// Opens <paramref name="folder"/> and loads it into <paramref name="module"/>. <paramref name="remap"/>, when given,
    /// renames keys (and may reshape) before matching, for older key layouts; <paramref name="ignoredPatterns"/> are keys
    /// the checkpoint may carry that belong to no parameter (e.g. a saved <c>position_ids</c> buffer).
    /// With <paramref name="weightDType"/> bfloat16 or float16, matrices and convolution kernels (rank ≥ 2) are kept in
    /// that dtype and everything else (biases, norms) in float32; activations stay float32 either way.
    /// </summary>
    public static void Load(
        Module module,
        string folder,
        string? variant = null,
        DType weightDType = DType.Float32,
        Func<IReadOnlyDictionary<string, CheckpointTensor>, IReadOnlyDictionary<string, CheckpointTensor>>? remap = null,
        IReadOnlyList<string>? ignoredPatterns = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (weightDType is not (DType.Float32 or DType.BFloat16 or DType.Float16))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDType), weightDType, "Weights can be float32, bfloat16 or float16.");
        }

        using var set = CheckpointSet.Open(folder, new CheckpointOpenOptions { Variant = variant }, cancellationToken);
        IReadOnlyDictionary<string, CheckpointTensor> source = remap is null ? set : remap(set);
        var options = new LoadOptions { KeyMatch = new KeyMatchOptions { IgnoredPatterns = ignoredPatterns ?? [], MaxNamesListed = 20 } };
        cancellationToken.ThrowIfCancellationRequested();
        module.Load(source, "", options);
        if (weightDType != DType.Float32)
        {
            foreach (var (_, parameter) in module.NamedParameters())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (parameter.Value.Rank >= 2 && parameter.Value.DType != weightDType)
                {
                    parameter.Assign(parameter.Value.To(weightDType).DetachFromScope());
                }
            }
        }
    }
}
