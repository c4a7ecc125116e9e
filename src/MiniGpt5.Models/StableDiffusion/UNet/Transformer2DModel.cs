using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>Transformer2DModel</c> on continuous input (transformer_2d.py): GroupNorm (eps 1e-6) over the feature
/// map, <c>proj_in</c> to heads·headDim (a Linear on tokens with use_linear_projection, as SD 2.x; a 1×1 conv on the
/// map otherwise, as SD 1.x), the <c>transformer_blocks</c>, <c>proj_out</c> back, plus the input.
/// </summary>
public sealed class Transformer2DModel : Module
{
    private readonly bool _linearProjection;

    /// <summary>A spatial transformer over <paramref name="channels"/> with <paramref name="numLayers"/> blocks.</summary>
    public Transformer2DModel(int heads, int headDim, int channels, int contextDim, int groups, bool useLinearProjection, int numLayers, bool onlyCrossAttention)
    {
        _linearProjection = useLinearProjection;
        var inner = heads * headDim;
        Norm = Child("norm", new GroupNorm(groups, channels, 1e-6));
        if (useLinearProjection)
        {
            ProjInLinear = Child("proj_in", new Linear(channels, inner));
        }
        else
        {
            ProjInConv = Child("proj_in", new Conv2d(channels, inner, 1));
        }

        TransformerBlocks = Child("transformer_blocks", new ModuleList<BasicTransformerBlock>(
            Enumerable.Range(0, numLayers).Select(_ => new BasicTransformerBlock(inner, heads, headDim, contextDim, onlyCrossAttention))));
        if (useLinearProjection)
        {
            ProjOutLinear = Child("proj_out", new Linear(inner, channels));
        }
        else
        {
            ProjOutConv = Child("proj_out", new Conv2d(inner, channels, 1));
        }
    }

    public GroupNorm Norm { get; }

    /// <summary>proj_in [inner, C] (use_linear_projection), else null.</summary>
    public Linear? ProjInLinear { get; }

    /// <summary>proj_in [inner, C, 1, 1] (conv projection), else null.</summary>
    public Conv2d? ProjInConv { get; }

    public ModuleList<BasicTransformerBlock> TransformerBlocks { get; }

    /// <summary>proj_out [C, inner] (use_linear_projection), else null.</summary>
    public Linear? ProjOutLinear { get; }

    /// <summary>proj_out [C, inner, 1, 1] (conv projection), else null.</summary>
    public Conv2d? ProjOutConv { get; }

    /// <summary>x [B, C, H, W], context [B, M, contextDim] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor x, Tensor context)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        int b = x.Shape[0], channels = x.Shape[1], height = x.Shape[2], width = x.Shape[3];
        var h = Norm.Forward(x);
        Tensor tokens;
        if (_linearProjection)
        {
            // [B, C, H, W] → [B, H, W, C] → [B, H·W, C] → proj_in → [B, H·W, inner]
            tokens = ProjInLinear!.Forward(h.Permute(0, 2, 3, 1).Reshape(b, height * width, channels));
        }
        else
        {
            // proj_in → [B, inner, H, W] → [B, H, W, inner] → [B, H·W, inner]
            var projected = ProjInConv!.Forward(h);
            tokens = projected.Permute(0, 2, 3, 1).Reshape(b, height * width, projected.Shape[1]);
        }

        foreach (var block in TransformerBlocks)
        {
            tokens = block.Forward(tokens, context);
        }

        var inner = tokens.Shape[2];
        Tensor output;
        if (_linearProjection)
        {
            // proj_out → [B, H·W, C] → [B, H, W, C] → [B, C, H, W] (a view; the residual add makes it contiguous)
            output = ProjOutLinear!.Forward(tokens).View(b, height, width, channels).Permute(0, 3, 1, 2);
        }
        else
        {
            // [B, H·W, inner] → [B, H, W, inner] → [B, inner, H, W] → proj_out → [B, C, H, W]
            output = ProjOutConv!.Forward(tokens.View(b, height, width, inner).Permute(0, 3, 1, 2).Contiguous());
        }

        return Ops.Add(output, x).MoveToOuterScope();
    }
}
