using MiniGpt5.Models.Nn;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPTextTransformer</c>: <c>embeddings</c>, <c>encoder</c>, <c>final_layer_norm</c>.</summary>
public sealed class ClipTextTransformer : Module
{
    internal ClipTextTransformer(ClipTextConfig c)
    {
        Embeddings = Child("embeddings", new ClipTextEmbeddings(c));
        Encoder = Child("encoder", new ClipEncoder(c));
        FinalLayerNorm = Child("final_layer_norm", new LayerNorm(c.HiddenSize, c.LayerNormEps));
    }

    public ClipTextEmbeddings Embeddings { get; }

    public ClipEncoder Encoder { get; }

    public LayerNorm FinalLayerNorm { get; }
}
