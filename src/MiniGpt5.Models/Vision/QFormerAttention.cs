using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// BERT attention with its post-LN output (BertAttention = BertSelfAttention + BertSelfOutput): softmax(QKᵀ/√d)V,
/// then LayerNorm(dense(context) + input). Keys <c>self.query.*</c> [H, H], <c>self.key.*</c> and
/// <c>self.value.*</c> [H, kv_width], <c>output.dense.*</c> [H, H], <c>output.LayerNorm.*</c>. As cross-attention,
/// key/value read the image tokens (kv_width = the ViT width). The masks MiniGPT-4 passes are all ones, so none is applied.
/// </summary>
public sealed class QFormerAttention : Module
{
    private readonly int _heads;

    /// <summary>Attention of width <paramref name="hidden"/> over keys/values of width <paramref name="keyValueWidth"/>.</summary>
    public QFormerAttention(int hidden, int heads, int keyValueWidth, double eps)
    {
        _heads = heads;
        Self = Child("self", new SelfAttentionProjections(hidden, keyValueWidth));
        Output = Child("output", new PostNorm(hidden, hidden, eps));
    }

    /// <summary>query / key / value.</summary>
    public SelfAttentionProjections Self { get; }

    /// <summary>dense + LayerNorm(· + input).</summary>
    public PostNorm Output { get; }

    /// <summary>x [B, L, H] attending to <paramref name="keyValue"/> [B, S, kv_width] (x itself for self-attention) → [B, L, H].</summary>
    public Tensor Forward(Tensor x, Tensor keyValue)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(keyValue);
        using var scope = TensorScope.Enter();
        int batch = x.Shape[0], length = x.Shape[1], hidden = x.Shape[2], source = keyValue.Shape[1];
        var headDim = hidden / _heads;
        var q = Self.Query.Forward(x).View(batch, length, _heads, headDim).Transpose(1, 2);          // [B, h, L, d]
        var k = Self.Key.Forward(keyValue).View(batch, source, _heads, headDim).Transpose(1, 2);     // [B, h, S, d]
        var v = Self.Value.Forward(keyValue).View(batch, source, _heads, headDim).Transpose(1, 2);   // [B, h, S, d]
        var context = Ops.ScaledDotProductAttention(q, k, v).Transpose(1, 2).Reshape(batch, length, hidden);
        return Output.Forward(context, x).MoveToOuterScope();
    }

    /// <summary>BertSelfAttention's projections: <c>query</c>, <c>key</c>, <c>value</c> (with bias).</summary>
    public sealed class SelfAttentionProjections : Module
    {
        internal SelfAttentionProjections(int hidden, int keyValueWidth)
        {
            Query = Child("query", new Linear(hidden, hidden));
            Key = Child("key", new Linear(keyValueWidth, hidden));
            Value = Child("value", new Linear(keyValueWidth, hidden));
        }

        /// <summary>[H, H].</summary>
        public Linear Query { get; }

        /// <summary>[H, kv_width].</summary>
        public Linear Key { get; }

        /// <summary>[H, kv_width].</summary>
        public Linear Value { get; }
    }
}
