namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// MiniGPT-5's feature mapper (model.py): <c>fc</c> = Linear(LLM → W), GELU, Linear(W → W) per voken, then
/// <c>nn.Transformer(d_model=W, nhead, encoder/decoder layers, dim_feedforward, dropout 0, ReLU, batch_first,
/// norm_first=True, eps)</c> whose decoder reads <see cref="Queries"/> learned queries (<c>t2i_decoder_prompt</c>).
/// W is the width of Stable Diffusion's text conditioning (SD-2.1: 1024, 77 tokens).
/// </summary>
public sealed record VokenMapperConfig
{
    /// <summary>The released model: 4096 → 1024, 8 heads, 4 + 4 layers, FFN 4096, 77 queries, 8 vokens.</summary>
    public static VokenMapperConfig MiniGpt5 { get; } = new()
    {
        LlmHidden = 4096, Width = 1024, Heads = 8, EncoderLayers = 4, DecoderLayers = 4, FeedForward = 4096, Queries = 77, Vokens = 8,
    };

    /// <summary>Width of the LLM hidden states the vokens come from.</summary>
    public required int LlmHidden { get; init; }

    /// <summary>d_model = the conditioning width.</summary>
    public required int Width { get; init; }

    /// <summary>nhead (PyTorch's default 8).</summary>
    public int Heads { get; init; } = 8;

    /// <summary>num_encoder_layers.</summary>
    public required int EncoderLayers { get; init; }

    /// <summary>num_decoder_layers.</summary>
    public required int DecoderLayers { get; init; }

    /// <summary>dim_feedforward.</summary>
    public required int FeedForward { get; init; }

    /// <summary>Learned decoder queries = conditioning tokens out (77).</summary>
    public required int Queries { get; init; }

    /// <summary>Generative vokens in (8).</summary>
    public int Vokens { get; init; } = 8;

    /// <summary>layer_norm_eps.</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Throws <see cref="ArgumentException"/> when the sizes do not fit together.</summary>
    public void Validate()
    {
        if (LlmHidden <= 0 || Width <= 0 || Heads <= 0 || Width % Heads != 0 || EncoderLayers <= 0 || DecoderLayers <= 0
            || FeedForward <= 0 || Queries <= 0 || Vokens <= 0)
        {
            throw new ArgumentException(
                $"Voken mapper: width {Width} must split into {Heads} heads; LLM width {LlmHidden}, layers {EncoderLayers}+{DecoderLayers}, FFN {FeedForward}, {Queries} queries and {Vokens} vokens must be positive.");
        }
    }
}
