using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// BERT's output sub-layer (BertSelfOutput / BertOutput): LayerNorm(dense(x) + residual). Keys <c>dense.*</c>
/// [out, in] and <c>LayerNorm.*</c> [out].
/// </summary>
public sealed class PostNorm : Module
{
    /// <summary>dense in → out, LayerNorm over out.</summary>
    public PostNorm(int inFeatures, int outFeatures, double eps)
    {
        Dense = Child("dense", new Linear(inFeatures, outFeatures));
        LayerNorm = Child("LayerNorm", new LayerNorm(outFeatures, eps));
    }

    /// <summary>[out, in].</summary>
    public Linear Dense { get; }

    /// <summary>Post-residual LayerNorm.</summary>
    public LayerNorm LayerNorm { get; }

    /// <summary>LayerNorm(dense(x) + residual): x [..., in], residual [..., out].</summary>
    public Tensor Forward(Tensor x, Tensor residual)
    {
        using var scope = TensorScope.Enter();
        return LayerNorm.Forward(Ops.Add(Dense.Forward(x), residual)).MoveToOuterScope();
    }
}
