using System.Diagnostics;
using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Tensors;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Vision;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// MiniGPT-5 up to the image generator: the tokenizer with the vokens, Vicuna with MiniGPT-5's embeddings, LM head and
/// (stage 2) merged LoRA, the MiniGPT-4 image path, and the voken mapper. <see cref="Generate"/> runs one response and
/// <see cref="MapVokens"/> turns its voken features into Stable Diffusion conditioning.
/// </summary>
public sealed class MiniGpt5Model : IDisposable
{
    /// <summary>Where the LLM sits in the Lightning checkpoints.</summary>
    public const string LlmPrefix = "model.llama_model.";

    private const string Stage1Embed = LlmPrefix + "model.embed_tokens.weight";
    private const string Stage1Head = LlmPrefix + "lm_head.weight";
    private const string Stage2Embed = LlmPrefix + "base_model.model.model.embed_tokens.modules_to_save.default.weight";
    private const string Stage2Head = LlmPrefix + "base_model.model.lm_head.modules_to_save.default.weight";
    private const string LoraPrefix = LlmPrefix + "base_model.model.";

    private Tensor? _negative;

    /// <summary>Assembles a model from loaded parts (it takes ownership of the modules).</summary>
    public MiniGpt5Model(MiniGpt5ModelConfig config, LlamaTokenizer tokenizer, LlamaForCausalLM llm, ImageEncoder? imageEncoder, FeatureMapper mapper)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(llm);
        ArgumentNullException.ThrowIfNull(mapper);
        Config = config;
        Tokenizer = tokenizer;
        Llm = llm;
        ImageEncoder = imageEncoder;
        Mapper = mapper;
        VokenIds = LlamaTokenizerOptions.MiniGpt5Vokens.Take(mapper.Config.Vokens).Select(tokenizer.GetTokenId).ToArray();
        ImagePlaceholderId = tokenizer.GetTokenId(LlamaTokenizerOptions.MiniGpt5ImagePlaceholder);
        StopSequences = config.StopSequences ?? DefaultStopSequences(tokenizer);
        if (mapper.Config.LlmHidden != llm.Config.HiddenSize)
        {
            throw new MiniGpt5ModelException(config.Folder, $"the mapper reads {mapper.Config.LlmHidden}-wide hidden states but the LLM is {llm.Config.HiddenSize} wide.");
        }
    }

    /// <summary>The folder description.</summary>
    public MiniGpt5ModelConfig Config { get; }

    /// <summary>LLaMA tokenizer in transformers-4.31 legacy mode with [IMG0]..[IMG7] and &lt;ImageHere&gt;.</summary>
    public LlamaTokenizer Tokenizer { get; }

    /// <summary>The LLM.</summary>
    public LlamaForCausalLM Llm { get; }

    /// <summary>The image path, or null for a text-only model.</summary>
    public ImageEncoder? ImageEncoder { get; }

    /// <summary>The voken mapper.</summary>
    public FeatureMapper Mapper { get; }

    /// <summary>[IMG0]..[IMG7].</summary>
    public IReadOnlyList<int> VokenIds { get; }

    /// <summary>&lt;ImageHere&gt;.</summary>
    public int ImagePlaceholderId { get; }

    /// <summary>Stop sequences (MiniGPT-5: [835] "▁###" and [2277, 29937] "##" "#").</summary>
    public IReadOnlyList<int[]> StopSequences { get; }

    /// <summary>
    /// Loads a MiniGPT-5 folder (<see cref="MiniGpt5ModelConfig"/>): the tokenizer; Vicuna from its HF folder except its
    /// embeddings; the embedding and LM head from stage 1, or from stage 2's peft <c>modules_to_save</c> copies when
    /// present (the release copies stage 1's into them, then loads stage 2 over it); stage 2's LoRA merged into q/v;
    /// the image path from its three files; fc and the queries from stage 1 and the transformer from stage 2 (else 1).
    /// </summary>
    /// <exception cref="MiniGpt5ModelException">A file is missing or the parts do not fit (vocabulary, widths, stages).</exception>
    /// <exception cref="CheckpointKeyMismatchException">A checkpoint lacks a key or has one of the wrong shape.</exception>
    public static MiniGpt5Model Load(string folder, CancellationToken cancellationToken = default)
    {
        var config = MiniGpt5ModelConfig.Load(folder);
        var tokenizer = LlamaTokenizer.LoadMiniGpt5(config.TokenizerPath);
        var owned = new List<IDisposable>();
        try
        {
            using var stage1 = CheckpointSet.Open(config.Stage1Checkpoint, cancellationToken: cancellationToken);
            using var stage2 = config.Stage2Checkpoint is { } path ? CheckpointSet.Open(path, cancellationToken: cancellationToken) : null;
            var vocab = CheckStages(config, tokenizer, stage1, stage2);
            cancellationToken.ThrowIfCancellationRequested();

            var llmConfig = LlamaConfig.Load(config.LlmFolder);
            LlamaForCausalLM llm;
            using (var weights = CheckpointSet.Open(config.LlmFolder, cancellationToken: cancellationToken))
            {
                llm = LlamaForCausalLM.FromCheckpoint(llmConfig, weights, new LlamaLoadOptions
                {
                    VocabSize = vocab, SkipEmbeddings = true, WeightDType = ParseDType(config.LlmDType, config),
                });
            }

            owned.Add(llm);
            LoadEmbeddings(llm, stage1, stage2);
            if (stage2 is not null)
            {
                using var lora = LlamaLora.FromCheckpoint(llm.Config, stage2, LoraPrefix, config.LoraAlpha);
                llm.ApplyLora(lora, merge: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            ImageEncoder? encoder = null;
            if (config.Vision is { } vision)
            {
                encoder = new ImageEncoder(
                    new ImageEncoderConfig { Vit = vision.Vit, QFormer = vision.QFormerConfig, LlmHidden = llm.Config.HiddenSize },
                    ParseDType(vision.VitDType, config) ?? DType.Float16);
                owned.Add(encoder);
                encoder.LoadPretrained(vision.EvaVit, vision.QFormer, vision.Projection, cancellationToken);
            }

            var mapper = new FeatureMapper(config.Mapper);
            owned.Add(mapper);
            mapper.LoadStage1(stage1);
            if (stage2 is not null)
            {
                mapper.LoadStage2(stage2);
            }

            return new MiniGpt5Model(config, tokenizer, llm, encoder, mapper);
        }
        catch
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// One response to <paramref name="prompt"/> (the whole model input, system prompt and "###Human:" included; each
    /// &lt;ImageHere&gt; takes the next of <paramref name="images"/>). <paramref name="onToken"/> sees each id as drawn.
    /// </summary>
    public MiniGpt5GenerationResult Generate(
        string prompt,
        IReadOnlyList<Image> images,
        MiniGpt5GenerationOptions? options = null,
        Action<int>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(images);
        options ??= new MiniGpt5GenerationOptions();
        var ids = Tokenizer.Encode(prompt);
        var watch = Stopwatch.StartNew();
        using var scope = TensorScope.Enter();
        var imageEmbeds = images.Count == 0 ? null : EncodeImages(images, options.PadImagesToSquare);
        var encoding = images.Count == 0 ? TimeSpan.Zero : watch.Elapsed;
        var embeds = BuildInputEmbeddings(ids, imageEmbeds, images.Count);
        var (sequence, features, reason, prefill, decode) = VokenGenerator.Run(Llm, embeds, VokenIds, StopSequences, options, onToken, cancellationToken);
        var raw = Tokenizer.Decode(sequence.ToArray(), skipSpecialTokens: false);
        var text = Tokenizer.Decode(sequence.Skip(1).ToArray(), skipSpecialTokens: true).Replace("###", string.Empty, StringComparison.Ordinal).Trim();
        var timings = new MiniGpt5Timings
        {
            ImageEncoding = encoding, Prefill = prefill, Decode = decode, PromptLength = embeds.Shape[1], GeneratedTokens = sequence.Count - 1,
        };
        return new MiniGpt5GenerationResult(sequence, raw, text, features, reason, timings);
    }

    /// <summary>
    /// input_warp: [BOS embedding] then, for each &lt;ImageHere&gt; id in <paramref name="ids"/> from left to right,
    /// the embeddings of the text before it and the 32 embeddings of the next image (the placeholder itself is dropped),
    /// then the remaining text. <paramref name="imageEmbeds"/> is [N, Q, D]. Result [1, L, D] (caller owns).
    /// </summary>
    public Tensor BuildInputEmbeddings(IReadOnlyList<int> ids, Tensor? imageEmbeds, int imageCount)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var placeholders = ids.Count(id => id == ImagePlaceholderId);
        if (placeholders != imageCount)
        {
            throw new ArgumentException(
                $"The prompt has {placeholders} {LlamaTokenizerOptions.MiniGpt5ImagePlaceholder} slot(s) but {imageCount} image(s) were given; each slot takes one image, in order.");
        }

        using var scope = TensorScope.Enter();
        var parts = new List<Tensor> { EmbedIds([Config.BosTokenId]) };
        var start = 0;
        var image = 0;
        for (var i = 0; i <= ids.Count; i++)
        {
            if (i < ids.Count && ids[i] != ImagePlaceholderId)
            {
                continue;
            }

            if (i > start)
            {
                parts.Add(EmbedIds(ids.Skip(start).Take(i - start).ToArray()));
            }

            if (i < ids.Count)
            {
                parts.Add(imageEmbeds!.Narrow(0, image++, 1));                                    // [1, Q, D]
            }

            start = i + 1;
        }

        return Ops.Cat(parts.ToArray(), dim: 1).MoveToOuterScope();
    }

    /// <summary>Images → CLIP preprocessing (224², optionally padded to a white square) → [N, Q, D] embeddings (caller owns).</summary>
    public Tensor EncodeImages(IReadOnlyList<Image> images, bool padToSquare)
    {
        ArgumentNullException.ThrowIfNull(images);
        var encoder = ImageEncoder ?? throw new InvalidOperationException(
            $"The model in '{Config.Folder}' has no image encoder (no \"vision\" in minigpt5.json), so it cannot take input images.");
        using var scope = TensorScope.Enter();
        var size = MiniGpt5ImageTransforms.ClipSize;
        if (encoder.Config.Vit.ImageSize != size)
        {
            throw new InvalidOperationException($"The ViT takes {encoder.Config.Vit.ImageSize}-px images but MiniGPT-5's preprocessing gives {size} px.");
        }

        var pixels = new float[images.Count * 3 * size * size];
        for (var i = 0; i < images.Count; i++)
        {
            MiniGpt5ImageTransforms.ClipInput(images[i], padToSquare).Data.CopyTo(pixels, i * 3 * size * size);
        }

        var batch = Tensor.FromArray<float>(pixels, [images.Count, 3, size, size]);
        return encoder.Forward(batch).MoveToOuterScope();
    }

    /// <summary>
    /// The mapper on a response's voken features [1, 8, D] → (conditioning, negative conditioning), each [1, 77, W];
    /// the negative is mapper(fc(zeros)), computed once per model. Caller owns both.
    /// </summary>
    public (Tensor Conditioning, Tensor Negative) MapVokens(Tensor vokenFeatures)
    {
        ArgumentNullException.ThrowIfNull(vokenFeatures);
        _negative ??= Mapper.NegativeConditioning().DetachFromScope();
        return (Mapper.Forward(vokenFeatures), _negative.Clone());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _negative?.Dispose();
        Llm.Dispose();
        ImageEncoder?.Dispose();
        Mapper.Dispose();
    }

    /// <summary>
    /// MiniGPT-5's stop words, by piece: "▁###" (835 in LLaMA) and the pair "##", "#" (2277, 29937); a vocabulary
    /// without those pieces gets whichever exist, and failing all, the encoding of "###".
    /// </summary>
    public static IReadOnlyList<int[]> DefaultStopSequences(LlamaTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var stops = new List<int[]>();
        if (tokenizer.TryGetTokenId("▁###", out var whole))
        {
            stops.Add([whole]);
        }

        if (tokenizer.TryGetTokenId("##", out var pair) && tokenizer.TryGetTokenId("#", out var single))
        {
            stops.Add([pair, single]);
        }

        if (stops.Count == 0)
        {
            stops.Add(tokenizer.Encode("###"));
        }

        return stops;
    }

    private Tensor EmbedIds(int[] ids)
    {
        using var tensor = Tensor.FromArray<long>(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        return Llm.Model.Embed(tensor);
    }

    /// <summary>Checks the stage checkpoints against each other and the tokenizer; returns the vocabulary size.</summary>
    private static int CheckStages(MiniGpt5ModelConfig config, LlamaTokenizer tokenizer, CheckpointSet stage1, CheckpointSet? stage2)
    {
        if (stage1.Keys.Any(k => k.Contains(".lora_A.", StringComparison.Ordinal)))
        {
            throw new MiniGpt5ModelException(config.Stage1Checkpoint,
                "holds LoRA adapters, so it is a stage-2 checkpoint; \"stage1\" must be stage1_cc3m.ckpt (stage 2 lacks fc and the decoder queries).");
        }

        if (!stage1.TryGetValue(Stage1Embed, out var embed) || !stage1.TryGetValue(Stage1Head, out var head))
        {
            throw new MiniGpt5ModelException(config.Stage1Checkpoint,
                $"lacks {(stage1.ContainsKey(Stage1Embed) ? Stage1Head : Stage1Embed)}; a MiniGPT-5 stage-1 checkpoint holds the whole embedding and LM head.");
        }

        var vocab = (int)embed.Shape[0];
        if (head.Shape[0] != vocab)
        {
            throw new MiniGpt5ModelException(config.Stage1Checkpoint, $"{Stage1Embed} has {vocab} rows but {Stage1Head} has {head.Shape[0]}.");
        }

        if (tokenizer.VocabularySize != vocab)
        {
            throw new MiniGpt5ModelException(config.Stage1Checkpoint,
                $"the embedding has {vocab} rows but the tokenizer '{config.TokenizerPath}' with MiniGPT-5's 9 added tokens has {tokenizer.VocabularySize} ids; " +
                "the checkpoint was trained with another tokenizer (MiniGPT-5 with Vicuna-7B v0 expects 32009).");
        }

        if (stage2 is null)
        {
            return vocab;
        }

        if (!stage2.Keys.Any(k => k.StartsWith(LoraPrefix, StringComparison.Ordinal) && k.Contains(".lora_A.", StringComparison.Ordinal)))
        {
            throw new MiniGpt5ModelException(config.Stage2Checkpoint!,
                $"holds no LoRA adapters under '{LoraPrefix}'; \"stage2\" must be a stage-2 checkpoint (stage2_vist.ckpt or stage2_mmdialog.ckpt).");
        }

        foreach (var key in new[] { Stage2Embed, Stage2Head })
        {
            if (stage2.TryGetValue(key, out var copy) && copy.Shape[0] != vocab)
            {
                throw new MiniGpt5ModelException(config.Stage2Checkpoint!, $"{key} has {copy.Shape[0]} rows but stage 1's embedding has {vocab}.");
            }
        }

        return vocab;
    }

    private static void LoadEmbeddings(LlamaForCausalLM llm, CheckpointSet stage1, CheckpointSet? stage2)
    {
        // The active embedding/LM head in stage 2 is peft's modules_to_save copy, which the release first fills from
        // stage 1 (on_load_checkpoint) and then overwrites with stage 2's.
        var embed = stage2 is not null && stage2.ContainsKey(Stage2Embed) ? (stage2, Stage2Embed) : (stage1, Stage1Embed);
        var head = stage2 is not null && stage2.ContainsKey(Stage2Head) ? (stage2, Stage2Head) : (stage1, Stage1Head);
        llm.Model.EmbedTokens.Load(RenamedCheckpointDictionary.Renamed(embed.Item1, k => k == embed.Item2 ? "weight" : null));
        llm.LmHead?.Load(RenamedCheckpointDictionary.Renamed(head.Item1, k => k == head.Item2 ? "weight" : null));
    }

    private static DType? ParseDType(string? name, MiniGpt5ModelConfig config) => name?.ToLowerInvariant() switch
    {
        null => null,
        "float32" or "fp32" or "f32" => DType.Float32,
        "bfloat16" or "bf16" => DType.BFloat16,
        "float16" or "fp16" or "f16" or "half" => DType.Float16,
        _ => throw new MiniGpt5ModelException(Path.Combine(config.Folder, MiniGpt5ModelConfig.FileName),
            $"dtype \"{name}\" is not one of float32, bfloat16, float16."),
    };
}
