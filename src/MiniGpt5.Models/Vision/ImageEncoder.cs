using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// MiniGPT-4's <c>encode_img</c>: EVA ViT → ln_vision (LayerNorm, eps 1e-5) → Q-Former over LayerNorm'd learned
/// query tokens → llama_proj, giving Q = 32 embeddings of the LLM's width per image. Parameters carry MiniGPT-4's
/// names (<c>visual_encoder.*</c>, <c>ln_vision.*</c>, <c>Qformer.*</c>, <c>query_tokens</c>, <c>llama_proj.*</c>);
/// <c>LoadPretrained</c> reads them from the three published files.
/// </summary>
public sealed class ImageEncoder : Module
{
    /// <summary>The encoder of <paramref name="config"/>; ViT linear weights in <paramref name="vitDType"/> (MiniGPT-4: fp16).</summary>
    public ImageEncoder(ImageEncoderConfig config, DType vitDType = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        VisualEncoder = Child("visual_encoder", new EvaVisionTransformer(config.Vit, vitDType));
        LnVision = Child("ln_vision", new LayerNorm(config.Vit.Width, config.LnVisionEps));
        QFormer = Child("Qformer", new QFormer(config.QFormer));
        QueryTokens = Param("query_tokens", [1, config.QFormer.QueryTokens, config.QFormer.Hidden]);
        LlamaProj = Child("llama_proj", new Linear(config.QFormer.Hidden, config.LlmHidden));
    }

    /// <summary>The architecture.</summary>
    public ImageEncoderConfig Config { get; }

    /// <summary>EVA ViT.</summary>
    public EvaVisionTransformer VisualEncoder { get; }

    /// <summary>LayerNorm on the ViT tokens.</summary>
    public LayerNorm LnVision { get; }

    /// <summary>The Q-Former.</summary>
    public QFormer QFormer { get; }

    /// <summary>Learned queries [1, Q, H].</summary>
    public Parameter QueryTokens { get; }

    /// <summary>Projection into the LLM [LLM, H].</summary>
    public Linear LlamaProj { get; }

    /// <summary>CLIP-normalised images [B, 3, S, S] → LLM input embeddings [B, Q, LLM] (float32).</summary>
    public Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = TensorScope.Enter();
        var tokens = LnVision.Forward(VisualEncoder.Forward(images));                          // [B, N, W]
        var queries = QueryTokens.Value.Expand(images.Shape[0], Config.QFormer.QueryTokens, Config.QFormer.Hidden);
        var query = QFormer.Forward(queries, tokens);                                           // [B, Q, H]
        return LlamaProj.Forward(query).MoveToOuterScope();
    }

    /// <summary>
    /// Loads the published weights: the EVA ViT from <paramref name="evaVit"/> (<c>eva_vit_g.pth</c>, bare keys; blocks
    /// past the depth, norms and heads ignored), <c>ln_vision</c>, <c>Qformer</c> and <c>query_tokens</c> from
    /// <paramref name="blip2"/> (<c>blip2_pretrained_flant5xxl.pth</c>; its text-only Q-Former weights and other heads
    /// ignored), <c>llama_proj</c> from <paramref name="projection"/> (<c>prerained_minigpt4_7b.pth</c>). Strict for
    /// every weight used: a missing or misshapen key is a <see cref="CheckpointKeyMismatchException"/> naming it.
    /// </summary>
    public void LoadPretrained(
        IReadOnlyDictionary<string, CheckpointTensor> evaVit,
        IReadOnlyDictionary<string, CheckpointTensor> blip2,
        IReadOnlyDictionary<string, CheckpointTensor> projection)
    {
        ArgumentNullException.ThrowIfNull(evaVit);
        ArgumentNullException.ThrowIfNull(blip2);
        ArgumentNullException.ThrowIfNull(projection);
        VisualEncoder.Load(evaVit, options: new LoadOptions { KeyMatch = new KeyMatchOptions { IgnoredPrefixes = VisualEncoder.IgnoredPrefixes() } });

        // The BLIP-2 file is a whole BLIP-2 model; only these three parts belong to MiniGPT-4's image path.
        string[] parts = ["ln_vision.", "Qformer.", "query_tokens"];
        var used = RenamedCheckpointDictionary.Renamed(blip2, key => parts.Any(p => key.StartsWith(p, StringComparison.Ordinal)) ? key : null);
        Load(used, options: new LoadOptions
        {
            KeyMatch = new KeyMatchOptions { IgnoredPrefixes = ["visual_encoder.", "llama_proj.", .. QFormer.IgnoredPrefixes("Qformer.")] },
        });

        LlamaProj.Load(projection, "llama_proj.");
    }

    /// <summary>Opens the three files and loads them (see the other overload).</summary>
    public void LoadPretrained(string evaVitPath, string blip2Path, string projectionPath, CancellationToken cancellationToken = default)
    {
        using var eva = CheckpointSet.Open(evaVitPath, cancellationToken: cancellationToken);
        using var blip2 = CheckpointSet.Open(blip2Path, cancellationToken: cancellationToken);
        using var projection = CheckpointSet.Open(projectionPath, cancellationToken: cancellationToken);
        LoadPretrained(eva, blip2, projection);
    }
}
