using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>
/// The EVA ViT image encoder as BLIP-2 trims it (eva_vit.py VisionTransformer.forward_features): patch embedding,
/// CLS token, absolute position embedding, the blocks; the output is every token (no final norm, no head). Keys as
/// in <c>eva_vit_g.pth</c>: <c>cls_token</c> [1, 1, W], <c>pos_embed</c> [1, N+1, W],
/// <c>patch_embed.proj.{weight [W, 3, p, p], bias}</c>, <c>blocks.i.*</c>.
/// </summary>
public sealed class EvaVisionTransformer : Module
{
    /// <summary>The encoder of <paramref name="config"/>; linear weights in <paramref name="dtype"/>
    /// (MiniGPT-4 runs them in fp16), everything else float32.</summary>
    public EvaVisionTransformer(EvaVitConfig config, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        ClsToken = Param("cls_token", [1, 1, config.Width]);
        PosEmbed = Param("pos_embed", [1, config.Tokens, config.Width]);
        PatchEmbed = Child("patch_embed", new PatchEmbedding(config));
        Blocks = Child("blocks", new ModuleList<EvaBlock>(Enumerable.Range(0, config.Depth).Select(_ => new EvaBlock(config, dtype))));
    }

    /// <summary>The architecture.</summary>
    public EvaVitConfig Config { get; }

    /// <summary>[1, 1, W].</summary>
    public Parameter ClsToken { get; }

    /// <summary>[1, N+1, W].</summary>
    public Parameter PosEmbed { get; }

    /// <summary>The patch convolution (key prefix <c>patch_embed.proj.</c>).</summary>
    public PatchEmbedding PatchEmbed { get; }

    /// <summary>The blocks.</summary>
    public ModuleList<EvaBlock> Blocks { get; }

    /// <summary>
    /// Keys an EVA checkpoint may hold that this trimmed encoder does not use: blocks past the configured depth
    /// (EVA-CLIP-g has 40, BLIP-2 keeps 39) and any norm or head.
    /// </summary>
    public IReadOnlyList<string> IgnoredPrefixes() =>
        [.. Enumerable.Range(Config.Depth, 64).Select(i => $"blocks.{i}."), "norm.", "fc_norm.", "head.", "rel_pos_bias.", "lm_head."];

    /// <summary>Images [B, 3, S, S] (CLIP-normalised) → tokens [B, N+1, W].</summary>
    public Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != Config.ImageSize || images.Shape[3] != Config.ImageSize)
        {
            throw new ArgumentException(
                $"EVA ViT expects images [B, 3, {Config.ImageSize}, {Config.ImageSize}], got [{string.Join(", ", images.ShapeArray())}].", nameof(images));
        }

        using var scope = TensorScope.Enter();
        var batch = images.Shape[0];
        var patches = PatchEmbed.Forward(images);                                               // [B, W, g, g]
        var tokens = patches.Flatten(2).Transpose(1, 2);                                        // [B, g·g, W]
        var cls = ClsToken.Value.Expand(batch, 1, Config.Width);                                // [B, 1, W]
        var x = Ops.Add(Ops.Cat([cls, tokens], dim: 1), PosEmbed.Value);                       // [B, N+1, W]
        foreach (var block in Blocks)
        {
            var next = block.Forward(x);
            x.Dispose();
            x = next;
        }

        return x.MoveToOuterScope();
    }

    /// <summary>patch_embed: a Conv2d(3, W, kernel p, stride p) under the key <c>proj</c>.</summary>
    public sealed class PatchEmbedding : Module
    {
        internal PatchEmbedding(EvaVitConfig config)
        {
            Proj = Child("proj", new Conv2d(3, config.Width, config.PatchSize, stride: config.PatchSize));
        }

        /// <summary>[W, 3, p, p] + bias.</summary>
        public Conv2d Proj { get; }

        /// <summary>[B, 3, S, S] → [B, W, S/p, S/p].</summary>
        public Tensor Forward(Tensor images) => Proj.Forward(images);
    }
}
