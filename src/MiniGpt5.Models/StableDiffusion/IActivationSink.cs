using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion;

/// <summary>
/// Receives named intermediate activations during a forward pass ("down_blocks.1", "mid_block", ...), named as the
/// PyTorch reference names them, so a debugging or test harness can compare layer by layer (llama.cpp's
/// <c>cb(cur, name, il)</c>). The tensor belongs to the forward pass and is freed after it: clone what you keep.
/// </summary>
public interface IActivationSink
{
    /// <summary>Called once per named intermediate.</summary>
    void Record(string name, Tensor value);
}
