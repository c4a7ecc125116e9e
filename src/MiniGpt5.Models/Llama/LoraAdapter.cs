using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// One LoRA adapter on one projection, as peft stores it: <c>lora_A.&lt;adapter&gt;.weight</c> [r, in] and
/// <c>lora_B.&lt;adapter&gt;.weight</c> [out, r]; the projection becomes W·x + scale·B·(A·x) with scale = alpha / r
/// (MiniGPT-5 stage 2: r 8, alpha 16, scale 2). Kept in float32, as peft keeps them.
/// </summary>
public sealed class LoraAdapter : Module
{
    /// <summary>An adapter of rank <paramref name="rank"/> from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    public LoraAdapter(int inFeatures, int outFeatures, int rank, double scale, string adapterName = "default")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        Rank = rank;
        Scale = scale;
        A = Child("lora_A", new AdapterSlot(adapterName, new Linear(inFeatures, rank, bias: false))).Layer;
        B = Child("lora_B", new AdapterSlot(adapterName, new Linear(rank, outFeatures, bias: false))).Layer;
    }

    /// <summary>r.</summary>
    public int Rank { get; }

    /// <summary>alpha / r.</summary>
    public double Scale { get; }

    /// <summary>Down projection, weight [r, in].</summary>
    public Linear A { get; }

    /// <summary>Up projection, weight [out, r].</summary>
    public Linear B { get; }

    /// <summary>scale·B·(A·x): x [..., in] → [..., out]. With buffers, writes into them (decode, no allocation).</summary>
    public Tensor Delta(Tensor x, Tensor? down = null, Tensor? up = null)
    {
        var a = A.Forward(x, down);
        var b = B.Forward(a, up);
        return up is null ? Ops.Mul(b, Scale) : Ops.Mul(b, Scale, output: b);
    }

    /// <summary>The dense update scale·B·A [out, in] in float32, for merging into the base weight.</summary>
    public Tensor MergedDelta()
    {
        using var scope = TensorScope.Enter();
        using var b = B.Weight.Value.To(DType.Float32);
        using var a = A.Weight.Value.To(DType.Float32);
        return Ops.Mul(Ops.Matmul(b, a), Scale).MoveToOuterScope();
    }

    /// <summary>peft's per-adapter ModuleDict: one Linear under the adapter's name ("default").</summary>
    private sealed class AdapterSlot : Module
    {
        public AdapterSlot(string adapterName, Linear layer) => Layer = Child(adapterName, layer);

        public Linear Layer { get; }
    }
}
