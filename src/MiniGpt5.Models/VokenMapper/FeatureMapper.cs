using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// MiniGPT-5's voken → Stable Diffusion conditioning mapper, under the Lightning checkpoint's names:
/// <c>fc.0.*</c> [W, LLM] and <c>fc.2.*</c> [W, W] (GELU between, per token), <c>llm_to_t2i_mapping.*</c>
/// (<see cref="MapperTransformer"/>) and <c>t2i_decoder_prompt</c> [1, Q, W]. Eight voken hidden states
/// [B, 8, LLM] become conditioning [B, 77, W]; the classifier-free-guidance negative is the mapping of
/// fc(zeros), not CLIP("").
/// </summary>
public sealed class FeatureMapper : Module
{
    /// <summary>The mapper of <paramref name="config"/> (float32, as MiniGPT-5 keeps its trainable parts).</summary>
    public FeatureMapper(VokenMapperConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Fc = Child("fc", new FeatureProjection(config));
        Transformer = Child("llm_to_t2i_mapping", new MapperTransformer(config));
        DecoderPrompt = Param("t2i_decoder_prompt", [1, config.Queries, config.Width]);
    }

    /// <summary>The architecture.</summary>
    public VokenMapperConfig Config { get; }

    /// <summary>fc: Linear, GELU, Linear.</summary>
    public FeatureProjection Fc { get; }

    /// <summary>llm_to_t2i_mapping.</summary>
    public MapperTransformer Transformer { get; }

    /// <summary>The learned queries [1, Q, W].</summary>
    public Parameter DecoderPrompt { get; }

    /// <summary>Voken hidden states [B, V, LLM] → conditioning [B, Q, W].</summary>
    public Tensor Forward(Tensor vokenHidden)
    {
        ArgumentNullException.ThrowIfNull(vokenHidden);
        if (vokenHidden.Rank != 3 || vokenHidden.Shape[2] != Config.LlmHidden)
        {
            throw new ArgumentException(
                $"The mapper takes voken hidden states [B, {Config.Vokens}, {Config.LlmHidden}], got [{string.Join(", ", vokenHidden.ShapeArray())}].", nameof(vokenHidden));
        }

        using var scope = TensorScope.Enter();
        var source = Fc.Forward(vokenHidden);                                                     // [B, V, W]
        var target = DecoderPrompt.Value.Expand(vokenHidden.Shape[0], Config.Queries, Config.Width);  // [B, Q, W]
        return Transformer.Forward(source, target).MoveToOuterScope();
    }

    /// <summary>The classifier-free-guidance negative: mapper(fc(zeros(1, V, LLM))) [1, Q, W].</summary>
    public Tensor NegativeConditioning()
    {
        using var scope = TensorScope.Enter();
        return Forward(Tensor.Zeros([1, Config.Vokens, Config.LlmHidden])).MoveToOuterScope();
    }

    /// <summary>Model.py: <c>t2i_decoder_prompt = nn.Parameter(torch.randn(1, Q, W))</c>; fc and the transformer keep their own init.</summary>
    protected override void ResetParameters(Generator generator) => WeightInit.Normal(DecoderPrompt, 1.0, generator);

    /// <summary>
    /// Loads a stage-1 checkpoint (everything: fc, transformer, queries) with strict matching of the mapper's keys;
    /// the LLM's tensors (<c>model.*</c>) in the same file are left to the LLM loader.
    /// </summary>
    public void LoadStage1(IReadOnlyDictionary<string, CheckpointTensor> stage1) =>
        Load(stage1, options: new LoadOptions { KeyMatch = new KeyMatchOptions { IgnoredPrefixes = ["model."] } });

    /// <summary>
    /// Loads a stage-2 checkpoint over it: only <c>llm_to_t2i_mapping.*</c> was trained (fc and the queries were
    /// frozen, so stage 2 does not hold them and they stay as stage 1 left them).
    /// </summary>
    public void LoadStage2(IReadOnlyDictionary<string, CheckpointTensor> stage2) => Transformer.Load(stage2, "llm_to_t2i_mapping.");

    /// <summary><c>fc</c> = nn.Sequential(Linear, GELU, Linear): children "0" and "2" (the GELU at "1" has no weights).</summary>
    public sealed class FeatureProjection : Module
    {
        internal FeatureProjection(VokenMapperConfig config)
        {
            In = Child("0", new Linear(config.LlmHidden, config.Width));
            Out = Child("2", new Linear(config.Width, config.Width));
        }

        /// <summary>fc.0 [W, LLM].</summary>
        public Linear In { get; }

        /// <summary>fc.2 [W, W].</summary>
        public Linear Out { get; }

        /// <summary>[..., LLM] → [..., W]; exact-erf GELU (nn.GELU()).</summary>
        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return Out.Forward(Ops.Gelu(In.Forward(x))).MoveToOuterScope();
        }
    }
}
