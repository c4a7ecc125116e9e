using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Tensors;
using MiniGpt5.Text.Clip;

namespace MiniGpt5.Training.Losses;

/// <summary>
/// The CAP target of MiniGPT-5's encode_caption: CLIP-tokenise the caption with BOS/EOS, truncation and padding to 77,
/// and run the frozen text encoder WITH the padding attention mask (the reference passes <c>**text_inputs</c>, so
/// padded keys are masked in every layer besides the causal mask) → last_hidden_state [1, 77, D]. The mask changes
/// the hidden states at the padded positions, which the CAP loss compares too, so the masked forward is written here
/// from the encoder's own layers. No gradients.
/// </summary>
public sealed class CaptionEncoder(ClipTextModel textEncoder, ClipTokenizer tokenizer)
{
    /// <summary>The frozen text encoder.</summary>
    public ClipTextModel TextEncoder { get; } = textEncoder ?? throw new ArgumentNullException(nameof(textEncoder));

    /// <summary>Its tokenizer (SD 2.x pads with "!").</summary>
    public ClipTokenizer Tokenizer { get; } = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    /// <summary>last_hidden_state [N, 77, D] of <paramref name="captions"/>.</summary>
    public Tensor Encode(IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        return Encode(captions.Select(Tokenizer.EncodeForModel).ToList());
    }

    /// <summary>last_hidden_state [N, T, D] of tokenised captions (ids and attention masks of one length T).</summary>
    public Tensor Encode(IReadOnlyList<ClipEncoding> encodings)
    {
        ArgumentNullException.ThrowIfNull(encodings);
        if (encodings.Count == 0 || encodings.Any(e => e.InputIds.Length != encodings[0].InputIds.Length || e.AttentionMask.Length != e.InputIds.Length))
        {
            throw new ArgumentException("CaptionEncoder: give at least one encoding; all must have ids and masks of one length.", nameof(encodings));
        }

        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Enter();
        var length = encodings[0].InputIds.Length;
        var ids = Tensor.FromArray<int>(encodings.SelectMany(e => e.InputIds).ToArray(), [encodings.Count, length]);
        // Allowed[b, 0, i, j] = j ≤ i and token j is not padding.
        var allowed = new bool[encodings.Count * length * length];
        for (var b = 0; b < encodings.Count; b++)
        {
            for (var i = 0; i < length; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    allowed[(((b * length) + i) * length) + j] = encodings[b].AttentionMask[j] != 0;
                }
            }
        }

        var mask = Tensor.FromArray<bool>(allowed, [encodings.Count, 1, length, length]);
        var model = TextEncoder.TextModel;
        var heads = TextEncoder.Config.NumAttentionHeads;
        var hidden = model.Embeddings.Forward(ids);
        foreach (var layer in model.Encoder.Layers)
        {
            var attention = MaskedSelfAttention(layer.SelfAttn, layer.LayerNorm1.Forward(hidden), mask, heads);
            hidden = hidden + attention;
            hidden = hidden + layer.Mlp.Forward(layer.LayerNorm2.Forward(hidden));
        }

        return model.FinalLayerNorm.Forward(hidden).MoveToOuterScope();
    }

    private static Tensor MaskedSelfAttention(ClipAttention attention, Tensor x, Tensor mask, int heads)
    {
        int b = x.Shape[0], t = x.Shape[1], d = x.Shape[2], headDim = d / heads;
        // [B, T, D] → [B, heads, T, hd]
        Tensor Split(Tensor y) => y.View(b, t, heads, headDim).Transpose(1, 2);
        var q = Split(attention.QProj.Forward(x));
        var k = Split(attention.KProj.Forward(x));
        var v = Split(attention.VProj.Forward(x));
        // A fully masked row (a pad query that sees only pads) cannot occur: BOS is never padding.
        var attended = Ops.ScaledDotProductAttention(q, k, v, mask).Transpose(1, 2).Reshape(b, t, d);
        return attention.OutProj.Forward(attended);
    }
}
