using MiniGpt5.Models.Interleaved;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// The loss of one MiniGPT-5 training batch, as <c>MiniGPT5.forward</c> computes it (MODEL_SPEC §3.3): per sample,
/// input_warp (BOS embedding, text embeddings, 32 image embeddings per &lt;ImageHere&gt;, right padding with zero
/// embeddings); the LLM's causal-LM loss; the voken features = last-layer hidden states at (position of [IMG0]) − 1
/// … +7; guidance dropout; the mapper; the LDM loss through the frozen UNet; the CAP loss (MSE against the frozen text
/// encoder's caption features) when every sample has a caption. Which parameters learn is the trainer's parameter
/// groups' business (<see cref="MiniGpt5Training"/>); this class only computes the loss.
/// </summary>
public sealed class MiniGpt5StageTask : ITrainingTask<MiniGpt5Batch>
{
    private readonly Dictionary<bool, Tensor> _emptyCaption = [];

    /// <summary>A task over <paramref name="model"/> (LLM, mapper, optional image encoder), the frozen LDM loss and, for
    /// the CAP loss, the frozen caption encoder.</summary>
    public MiniGpt5StageTask(MiniGpt5Model model, LatentDiffusionLoss ldm, CaptionEncoder? captions, MiniGpt5StageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ldm);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.UseCaptionLoss && captions is null)
        {
            throw new ArgumentException("The CAP loss needs the frozen text encoder (a CaptionEncoder).", nameof(captions));
        }

        Model = model;
        Ldm = ldm;
        Captions = captions;
        Settings = settings;
    }

    /// <summary>The model being trained.</summary>
    public MiniGpt5Model Model { get; }

    /// <summary>LDM loss over the frozen VAE and UNet.</summary>
    public LatentDiffusionLoss Ldm { get; }

    /// <summary>The frozen text encoder for CAP targets, or null.</summary>
    public CaptionEncoder? Captions { get; }

    /// <summary>Loss weights and switches.</summary>
    public MiniGpt5StageSettings Settings { get; }

    /// <inheritdoc />
    public LossResult Loss(MiniGpt5Batch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = TensorScope.Enter();
        var parts = Forward(batch, context);
        var components = new Dictionary<string, double> { ["text"] = parts.Text.Item<float>() };
        var total = parts.Text * Settings.TextWeight;
        if (parts.Ldm is { } ldm)
        {
            components["ldm"] = ldm.Item<float>();
            total = total + (ldm * Settings.LdmWeight);
        }

        if (parts.Cap is { } cap)
        {
            components["cap"] = cap.Item<float>();
            total = total + (cap * Settings.CapWeight);
        }

        return new LossResult(total.MoveToOuterScope(), components);
    }

    /// <summary>
    /// The separate losses of <paramref name="batch"/> (caller's scope owns them): text, and when the batch has
    /// vokens, LDM and (if enabled and every sample has a caption) CAP; plus the voken features [n, 8, D] and the
    /// mapper's output [n, Q, W].
    /// </summary>
    public MiniGpt5StageLosses Forward(MiniGpt5Batch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        var llm = Model.Llm;
        var (embeds, labels, warpedLabels) = Warp(batch);                                // [B, L, D], [B, L]
        using var positions = Tensor.Arange(embeds.Shape[1]);
        var hidden = llm.Model.Forward(embeds, positions);                               // [B, L, D]
        var logits = llm.Logits(hidden);                                                 // [B, L, V]
        var text = CausalLmLoss.Compute(logits, labels);

        // special_token_index = (labels == [IMG0]) − 1: the hidden state that predicts [IMG0], then [IMG0]..[IMG6].
        var vokens = Model.VokenIds.Count;
        var features = new List<Tensor>();
        var owners = new List<int>();
        for (var b = 0; b < warpedLabels.Length; b++)
        {
            var first = Array.IndexOf(warpedLabels[b], Model.VokenIds[0]);
            if (first < 1)
            {
                continue;
            }

            if (first - 1 + vokens > warpedLabels[b].Length)
            {
                throw new InvalidOperationException($"Sample '{batch.Samples[b].Example.TaskName}' has [IMG0] too close to its end for {vokens} vokens.");
            }

            features.Add(hidden.Narrow(0, b, 1).Narrow(1, first - 1, vokens));          // [1, 8, D]
            owners.Add(b);
        }

        if (features.Count == 0)
        {
            return new MiniGpt5StageLosses(text, null, null, null, null);
        }

        // Guidance dropout: the whole voken sequence becomes zeros and its caption the empty caption.
        var dropped = new bool[features.Count];
        if (context.Training && Settings.GuidanceDropout > 0)
        {
            for (var i = 0; i < features.Count; i++)
            {
                if (context.Random.NextDouble() < Settings.GuidanceDropout)
                {
                    dropped[i] = true;
                    features[i] = Tensor.Zeros([1, vokens, llm.Config.HiddenSize]);
                }
            }
        }

        var voken = Ops.Cat(features.ToArray(), dim: 0);                                  // [n, 8, D]
        var mapping = Model.Mapper.Forward(voken);                                        // [n, Q, W]
        Tensor images;
        using (GradMode.NoGrad())
        {
            images = Ops.Cat(owners.Select(b => batch.OutputImages.Narrow(0, b, 1)).ToArray(), dim: 0);   // [n, 3, H, W]
        }

        var ldm = Ldm.FromImages(images, mapping, context.Random).Loss;
        Tensor? cap = null;
        var captions = owners.Select(b => batch.Samples[b].Example.Caption).ToList();
        if (Settings.UseCaptionLoss && captions.All(c => c is not null))
        {
            var target = Captions!.Encode(captions.Select((c, i) => dropped[i] ? string.Empty : c!).ToList());   // [n, T, W]
            if (!target.Shape.SequenceEqual(mapping.Shape))
            {
                throw new InvalidOperationException(
                    $"The CAP target is [{string.Join(", ", target.ShapeArray())}] but the mapper writes [{string.Join(", ", mapping.ShapeArray())}]: " +
                    "the mapper's queries and width must be the text encoder's length and width.");
            }

            cap = MseLoss.Compute(mapping, target);
        }

        return new MiniGpt5StageLosses(text, ldm, cap, voken, mapping);
    }

    /// <summary>
    /// input_warp for a batch: embeddings [B, L, D] (zero rows past each sample's end), labels [B, L] (−100 for BOS,
    /// image positions and padding), and each sample's warped labels (unpadded) for finding its vokens.
    /// </summary>
    private (Tensor Embeds, Tensor Labels, long[][] Warped) Warp(MiniGpt5Batch batch)
    {
        var ids = batch.InputIds.ToArray<long>();
        var labels = batch.Labels.ToArray<long>();
        var mask = batch.AttentionMask.ToArray<long>();
        int b = batch.InputIds.Shape[0], length = batch.InputIds.Shape[1];
        var width = Model.Llm.Config.HiddenSize;
        var perSample = new Tensor[b];
        var warped = new long[b][];
        for (var i = 0; i < b; i++)
        {
            var n = 0;
            while (n < length && mask[(i * length) + n] != 0)
            {
                n++;
            }

            var sampleIds = new int[n];
            for (var t = 0; t < n; t++)
            {
                sampleIds[t] = (int)ids[(i * length) + t];
            }

            var slots = sampleIds.Count(id => id == Model.ImagePlaceholderId);
            Tensor? imageEmbeds = null;
            if (slots > 0)
            {
                var encoder = Model.ImageEncoder ?? throw new InvalidOperationException(
                    $"Sample '{batch.Samples[i].Example.TaskName}' has {slots} image slot(s) but the model has no image encoder; train a text-only model on text-only examples (TextOnlyExamples).");
                var stack = batch.InputImages[i];
                if (stack.Shape[0] < slots)
                {
                    throw new InvalidOperationException($"Sample '{batch.Samples[i].Example.TaskName}' has {slots} image slots but {stack.Shape[0]} input images.");
                }

                using var noGrad = GradMode.NoGrad();
                imageEmbeds = encoder.Forward(stack.Narrow(0, 0, slots));                // [slots, Q, D]
            }

            perSample[i] = Model.BuildInputEmbeddings(sampleIds, imageEmbeds, slots);    // [1, L_i, D]
            var queries = imageEmbeds?.Shape[1] ?? 0;
            var list = new List<long>(perSample[i].Shape[1]) { TokenizedSample.IgnoreIndex };
            for (var t = 0; t < n; t++)
            {
                if (sampleIds[t] == Model.ImagePlaceholderId)
                {
                    list.AddRange(Enumerable.Repeat((long)TokenizedSample.IgnoreIndex, queries));
                }
                else
                {
                    list.Add(labels[(i * length) + t]);
                }
            }

            warped[i] = [.. list];
        }

        var longest = warped.Max(w => w.Length);
        var padded = new Tensor[b];
        var flat = new long[b * longest];
        Array.Fill(flat, TokenizedSample.IgnoreIndex);
        for (var i = 0; i < b; i++)
        {
            warped[i].CopyTo(flat, i * longest);
            var pad = longest - warped[i].Length;
            padded[i] = pad == 0 ? perSample[i] : Ops.Cat([perSample[i], Tensor.Zeros([1, pad, width])], dim: 1);
        }

        var embeds = b == 1 ? padded[0] : Ops.Cat(padded, dim: 0);
        return (embeds, Tensor.FromArray<long>(flat, [b, longest]), warped);
    }
}

/// <summary>The parts of a stage loss; LDM, CAP, vokens and mapping are null when the batch has no vokens (CAP also when off).</summary>
public sealed record MiniGpt5StageLosses(Tensor Text, Tensor? Ldm, Tensor? Cap, Tensor? VokenFeatures, Tensor? Mapping);
