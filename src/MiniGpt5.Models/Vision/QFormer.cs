using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// The Q-Former under its checkpoint name <c>Qformer</c>: <c>bert.embeddings.LayerNorm.*</c> (applied to the query
/// tokens; word and position embeddings are deleted in MiniGPT-4) and <c>bert.encoder.layer.i.*</c>.
/// </summary>
public sealed class QFormer : Module
{
    /// <summary>The Q-Former of <paramref name="config"/> (float32).</summary>
    public QFormer(QFormerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Bert = Child("bert", new BertModel(config));
    }

    /// <summary>The architecture.</summary>
    public QFormerConfig Config { get; }

    /// <summary>The BERT trunk.</summary>
    public BertModel Bert { get; }

    /// <summary>
    /// Keys of a BLIP-2 checkpoint's Q-Former (relative to the file) that MiniGPT-4 deletes or never uses: the text
    /// embeddings, the LM head, and each layer's text-path FFN.
    /// </summary>
    public IReadOnlyList<string> IgnoredPrefixes(string prefix) =>
    [
        prefix + "cls.", prefix + "bert.embeddings.word_embeddings.", prefix + "bert.embeddings.position_embeddings.",
        prefix + "bert.embeddings.position_ids", prefix + "bert.pooler.",
        .. Enumerable.Range(0, Config.Layers).SelectMany(i => new[]
        {
            $"{prefix}bert.encoder.layer.{i}.intermediate.", $"{prefix}bert.encoder.layer.{i}.output.",
        }),
    ];

    /// <summary>Query tokens [B, Q, H] (before the embeddings LayerNorm) and image tokens [B, N, W] → [B, Q, H].</summary>
    public Tensor Forward(Tensor queryTokens, Tensor image)
    {
        ArgumentNullException.ThrowIfNull(queryTokens);
        ArgumentNullException.ThrowIfNull(image);
        using var scope = TensorScope.Enter();
        var x = Bert.Embeddings.Forward(queryTokens);
        foreach (var layer in Bert.Encoder.Layer)
        {
            x = layer.Forward(x, image);
        }

        return x.MoveToOuterScope();
    }

    /// <summary><c>bert</c>: embeddings and encoder.</summary>
    public sealed class BertModel : Module
    {
        internal BertModel(QFormerConfig config)
        {
            Embeddings = Child("embeddings", new QueryEmbeddings(config));
            Encoder = Child("encoder", new BertEncoder(config));
        }

        /// <summary>The embeddings LayerNorm.</summary>
        public QueryEmbeddings Embeddings { get; }

        /// <summary>The layers.</summary>
        public BertEncoder Encoder { get; }
    }

    /// <summary><c>embeddings</c>: only <c>LayerNorm</c> is left (applied to the query tokens).</summary>
    public sealed class QueryEmbeddings : Module
    {
        internal QueryEmbeddings(QFormerConfig config) => LayerNorm = Child("LayerNorm", new LayerNorm(config.Hidden, config.LayerNormEps));

        /// <summary>[H].</summary>
        public LayerNorm LayerNorm { get; }

        /// <summary>LayerNorm(query tokens).</summary>
        public Tensor Forward(Tensor queries) => LayerNorm.Forward(queries);
    }

    /// <summary><c>encoder</c>: <c>layer.i</c>.</summary>
    public sealed class BertEncoder : Module
    {
        internal BertEncoder(QFormerConfig config) =>
            Layer = Child("layer", new ModuleList<QFormerLayer>(Enumerable.Range(0, config.Layers).Select(i => new QFormerLayer(config, i))));

        /// <summary>The layers.</summary>
        public ModuleList<QFormerLayer> Layer { get; }
    }
}
