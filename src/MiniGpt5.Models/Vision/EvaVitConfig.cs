namespace MiniGpt5.Models.Vision;

/// <summary>
/// EVA-CLIP ViT as BLIP-2 / MiniGPT-4 build it (eva_vit.py, <c>create_eva_vit_g</c>): patch embedding, a CLS
/// token, absolute position embeddings, pre-LN blocks with qkv bias only on q and v, exact-erf GELU, no final norm;
/// the output is every token.
/// </summary>
public sealed record EvaVitConfig
{
    /// <summary>EVA ViT-g/14 at 224 px: 257 tokens 1408 wide, 39 blocks of 16 heads, MLP int(1408·4.3637) = 6144.</summary>
    public static EvaVitConfig G { get; } = new()
    {
        ImageSize = 224, PatchSize = 14, Width = 1408, Depth = 39, Heads = 16, MlpHidden = 6144, LayerNormEps = 1e-6,
    };

    /// <summary>Input side in pixels (square).</summary>
    public required int ImageSize { get; init; }

    /// <summary>Patch side (conv kernel and stride).</summary>
    public required int PatchSize { get; init; }

    /// <summary>Token width (embed_dim).</summary>
    public required int Width { get; init; }

    /// <summary>Blocks.</summary>
    public required int Depth { get; init; }

    /// <summary>Attention heads.</summary>
    public required int Heads { get; init; }

    /// <summary>MLP inner width.</summary>
    public required int MlpHidden { get; init; }

    /// <summary>Block LayerNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 1e-6;

    /// <summary>Patches per side.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Tokens out: patches plus CLS.</summary>
    public int Tokens => (GridSize * GridSize) + 1;

    /// <summary>Throws <see cref="ArgumentException"/> when the sizes do not fit together.</summary>
    public void Validate()
    {
        if (ImageSize <= 0 || PatchSize <= 0 || ImageSize % PatchSize != 0)
        {
            throw new ArgumentException($"EVA ViT: image size {ImageSize} must be a positive multiple of the patch size {PatchSize}.");
        }

        if (Width <= 0 || Heads <= 0 || Width % Heads != 0 || Depth <= 0 || MlpHidden <= 0)
        {
            throw new ArgumentException($"EVA ViT: width {Width} must split into {Heads} heads, with depth {Depth} and MLP {MlpHidden} positive.");
        }
    }
}
