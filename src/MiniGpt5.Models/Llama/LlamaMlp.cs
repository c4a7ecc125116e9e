using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// LLaMA's SwiGLU feed-forward: down_proj(SiLU(gate_proj(x)) · up_proj(x)). Keys <c>gate_proj.weight</c> [F, D],
/// <c>up_proj.weight</c> [F, D], <c>down_proj.weight</c> [D, F].
/// </summary>
public sealed class LlamaMlp : Module
{
    /// <summary>The MLP of <paramref name="config"/> with weights of <paramref name="dtype"/>.</summary>
    public LlamaMlp(LlamaConfig config, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        GateProj = Child("gate_proj", new Linear(config.HiddenSize, config.IntermediateSize, bias: false, dtype));
        UpProj = Child("up_proj", new Linear(config.HiddenSize, config.IntermediateSize, bias: false, dtype));
        DownProj = Child("down_proj", new Linear(config.IntermediateSize, config.HiddenSize, bias: false, dtype));
    }

    /// <summary>[F, D].</summary>
    public Linear GateProj { get; }

    /// <summary>[F, D].</summary>
    public Linear UpProj { get; }

    /// <summary>[D, F].</summary>
    public Linear DownProj { get; }

    /// <summary>LoRA adapters applied on the fly, by projection name.</summary>
    internal Dictionary<string, LoraAdapter> Lora { get; } = [];

    /// <summary>x [B, T, D] → [B, T, D].</summary>
    internal Tensor Forward(Tensor x, LlamaDecodeBuffers? buffers)
    {
        using var scope = TensorScope.Enter();
        var gate = Project(GateProj, "gate_proj", x, buffers?.Gate, buffers);      // [B, T, F]
        var up = Project(UpProj, "up_proj", x, buffers?.Up, buffers);              // [B, T, F]
        Tensor hidden;
        if (buffers is null)
        {
            hidden = Ops.Mul(Ops.Silu(gate), up);
        }
        else
        {
            Ops.Silu(gate, output: gate);
            hidden = Ops.Mul(gate, up, output: gate);
        }

        return Project(DownProj, "down_proj", hidden, buffers?.Output, buffers).MoveToOuterScope();
    }

    // Copied from LlamaAttention.cs:LlamaAttention.Project
    private Tensor Project(Linear layer, string name, Tensor x, Tensor? output, LlamaDecodeBuffers? buffers)
    {
        var y = layer.Forward(x, output);
        if (!Lora.TryGetValue(name, out var adapter))
        {
            return y;
        }

        if (output is null)
        {
            return Ops.Add(y, adapter.Delta(x));
        }

        var delta = buffers is null ? adapter.Delta(x) : adapter.Delta(x, buffers.LoraDown, buffers.LoraUp(layer.OutFeatures));
        return Ops.Add(y, delta, output: y);
    }
}
