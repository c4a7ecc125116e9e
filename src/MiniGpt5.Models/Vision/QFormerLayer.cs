using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// One Q-Former layer on the query path (BertLayer.forward with query_length = all tokens): self-attention, then
/// (in cross-attention layers) attention to the image tokens, then the query FFN
/// LayerNorm(dense(GELU(dense(x))) + x). Keys <c>attention.*</c>, <c>crossattention.*</c> (cross layers only),
/// <c>intermediate_query.dense.*</c> [F, H], <c>output_query.{dense [H, F], LayerNorm}.*</c>. The text-path
/// <c>intermediate</c>/<c>output</c> weights that BLIP-2 checkpoints also hold are not used (MiniGPT-4 deletes them).
/// </summary>
public sealed class QFormerLayer : Module
{
    /// <summary>Layer <paramref name="index"/> of <paramref name="config"/>.</summary>
    public QFormerLayer(QFormerConfig config, int index)
    {
        ArgumentNullException.ThrowIfNull(config);
        Attention = Child("attention", new QFormerAttention(config.Hidden, config.Heads, config.Hidden, config.LayerNormEps));
        CrossAttention = index % config.CrossAttentionFrequency == 0
            ? Child("crossattention", new QFormerAttention(config.Hidden, config.Heads, config.EncoderWidth, config.LayerNormEps))
            : null;
        IntermediateQuery = Child("intermediate_query", new Intermediate(config.Hidden, config.Intermediate));
        OutputQuery = Child("output_query", new PostNorm(config.Intermediate, config.Hidden, config.LayerNormEps));
    }

    /// <summary>Self-attention over the queries.</summary>
    public QFormerAttention Attention { get; }

    /// <summary>Attention to the image tokens, or null in layers without it.</summary>
    public QFormerAttention? CrossAttention { get; }

    /// <summary>FFN up-projection (+ GELU).</summary>
    public Intermediate IntermediateQuery { get; }

    /// <summary>FFN down-projection + post-LN.</summary>
    public PostNorm OutputQuery { get; }

    /// <summary>queries [B, Q, H], image tokens [B, N, W] → [B, Q, H].</summary>
    public Tensor Forward(Tensor queries, Tensor image)
    {
        using var scope = TensorScope.Enter();
        var x = Attention.Forward(queries, queries);
        if (CrossAttention is not null)
        {
            x = CrossAttention.Forward(x, image);
        }

        return OutputQuery.Forward(IntermediateQuery.Forward(x), x).MoveToOuterScope();
    }

    /// <summary>BertIntermediate: GELU(dense(x)) with exact-erf GELU. Key <c>dense.*</c>.</summary>
    public sealed class Intermediate : Module
    {
        internal Intermediate(int hidden, int inner) => Dense = Child("dense", new Linear(hidden, inner));

        /// <summary>[F, H].</summary>
        public Linear Dense { get; }

        /// <summary>x [..., H] → [..., F].</summary>
        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return Ops.Gelu(Dense.Forward(x)).MoveToOuterScope();
        }
    }
}
