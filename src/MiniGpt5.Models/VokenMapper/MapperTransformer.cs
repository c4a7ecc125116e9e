using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// torch.nn.Transformer as MiniGPT-5 builds it (<c>llm_to_t2i_mapping</c>): <c>encoder.layers.i.*</c> and the final
/// <c>encoder.norm.*</c>, <c>decoder.layers.i.*</c> and <c>decoder.norm.*</c>; no masks, no positional encoding.
/// output = decoder.norm(decoder(tgt, memory = encoder.norm(encoder(src)))).
/// </summary>
public sealed class MapperTransformer : Module
{
    /// <summary>The transformer of <paramref name="config"/>.</summary>
    public MapperTransformer(VokenMapperConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Encoder = Child("encoder", new Stack<TransformerEncoderLayer>(
            Enumerable.Range(0, config.EncoderLayers).Select(_ => new TransformerEncoderLayer(config)), config));
        Decoder = Child("decoder", new Stack<TransformerDecoderLayer>(
            Enumerable.Range(0, config.DecoderLayers).Select(_ => new TransformerDecoderLayer(config)), config));
    }

    /// <summary>The encoder stack and its final norm.</summary>
    public Stack<TransformerEncoderLayer> Encoder { get; }

    /// <summary>The decoder stack and its final norm.</summary>
    public Stack<TransformerDecoderLayer> Decoder { get; }

    /// <summary>src [B, S, E] and tgt [B, L, E] → [B, L, E].</summary>
    public Tensor Forward(Tensor source, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        using var scope = TensorScope.Enter();
        var memory = source;
        foreach (var layer in Encoder.Layers)
        {
            memory = layer.Forward(memory);
        }

        memory = Encoder.Norm.Forward(memory);
        var output = target;
        foreach (var layer in Decoder.Layers)
        {
            output = layer.Forward(output, memory);
        }

        return Decoder.Norm.Forward(output).MoveToOuterScope();
    }

    /// <summary>nn.Transformer._reset_parameters: after its layers are built, every parameter of 2 or more dimensions
    /// (attention in/out projections, linear1, linear2) is re-drawn Xavier-uniform; biases and norms keep their init.</summary>
    protected override void ResetParameters(Generator generator)
    {
        foreach (var (_, parameter) in NamedParameters())
        {
            if (parameter.Shape.Length > 1)
            {
                WeightInit.XavierUniform(parameter, generator);
            }
        }
    }

    /// <summary>nn.TransformerEncoder / nn.TransformerDecoder: <c>layers.i</c> and the final <c>norm</c>.</summary>
    public sealed class Stack<TLayer> : Module
        where TLayer : Module
    {
        internal Stack(IEnumerable<TLayer> layers, VokenMapperConfig config)
        {
            Layers = Child("layers", new ModuleList<TLayer>(layers));
            Norm = Child("norm", new LayerNorm(config.Width, config.LayerNormEps));
        }

        /// <summary>The layers.</summary>
        public ModuleList<TLayer> Layers { get; }

        /// <summary>The final LayerNorm.</summary>
        public LayerNorm Norm { get; }
    }
}
