namespace MiniGpt5.Tensors.Serialization;

/// <summary>How checkpoint files are opened and which tensors of a pickle are exposed.</summary>
public sealed record CheckpointOpenOptions
{
    /// <summary>Options with every default.</summary>
    public static CheckpointOpenOptions Default { get; } = new();

    /// <summary>
    /// Which dictionary of a PyTorch pickle holds the tensors. Null (the default) unwraps the usual
    /// conventions: the top-level dictionary itself when it holds tensors, otherwise its <c>state_dict</c>
    /// (Lightning, MiniGPT-5), <c>model</c> (LAVIS, MiniGPT-4), <c>module</c> (DeepSpeed) or
    /// <c>model_state_dict</c> entry. An empty string takes the top level as it is; "a/b" walks nested keys.
    /// Ignored for safetensors files.
    /// </summary>
    public string? StateDictKey { get; init; }

    /// <summary>
    /// Extra plain-data classes ("module.Class") that a pickle may contain, read as inert
    /// <see cref="Pickle.PickleObject"/> values. Classes from modules that can run code are always refused.
    /// </summary>
    public IReadOnlyList<string> InertClasses { get; init; } = [];

    /// <summary>
    /// Check the zip CRC-32 of every storage record a PyTorch zip checkpoint exposes (reads every byte once
    /// at open; the pickle's own record is always checked).
    /// </summary>
    public bool VerifyChecksums { get; init; }

    /// <summary>
    /// The diffusers/transformers weight variant to prefer in a folder ("fp16" picks
    /// <c>diffusion_pytorch_model.fp16.safetensors</c>); null picks the unsuffixed files.
    /// </summary>
    public string? Variant { get; init; }
}
