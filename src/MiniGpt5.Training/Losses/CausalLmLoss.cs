using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Losses;

/// <summary>
/// The causal-LM loss of Hugging Face's LlamaForCausalLM: logits at position t predict the label at t+1; cross
/// entropy (in float32) averaged over the positions whose shifted label is not −100. With no supervised position the
/// result is NaN, as torch's CrossEntropyLoss gives.
/// </summary>
public static class CausalLmLoss
{
    /// <summary>The ignored label.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>logits [B, L, V] and labels [B, L] (int64) → scalar loss.</summary>
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Rank != 3 || labels.Rank != 2 || logits.Shape[0] != labels.Shape[0] || logits.Shape[1] != labels.Shape[1])
        {
            throw new TensorShapeException(
                $"CausalLmLoss: logits [B, L, V] and labels [B, L] do not match: {logits} and {labels}.");
        }

        using var scope = TensorScope.Enter();
        int b = logits.Shape[0], l = logits.Shape[1], v = logits.Shape[2];
        // shift_logits = logits[..., :-1, :], shift_labels = labels[..., 1:], flattened to [N, V] and [N].
        var shifted = logits.Slice(1, 0, l - 1).Reshape(b * (l - 1), v);
        var targets = labels.Slice(1, 1, l).Reshape(b * (l - 1));
        return CrossEntropy(shifted, targets).MoveToOuterScope();
    }

    /// <summary>Mean cross entropy of logits [N, V] against int64 targets [N], skipping <see cref="IgnoreIndex"/>.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = TensorScope.Enter();
        var n = logits.Shape[0];
        var ids = targets.DType == DType.Int64 ? targets.ToArray<long>() : targets.To(DType.Int64).ToArray<long>();
        var v = logits.Shape[1];
        var picked = new long[n];
        var weights = new float[n];
        var supervised = 0;
        for (var i = 0; i < n; i++)
        {
            if (ids[i] == IgnoreIndex)
            {
                continue;
            }

            if (ids[i] < 0 || ids[i] >= v)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), ids[i], $"CrossEntropy: target {ids[i]} at position {i} is outside the vocabulary of {v} logits.");
            }

            picked[i] = ids[i];
            weights[i] = 1;
            supervised++;
        }

        // Per position: −log softmax(logits)[target]; ignored positions get weight 0. The mean divides by the number
        // of supervised positions (0/0 = NaN when there are none).
        var logProbabilities = Ops.LogSoftmax(logits.DType == DType.Float32 ? logits : logits.To(DType.Float32), -1);
        var index = Tensor.FromArray<long>(picked, [n, 1], logits.Device);
        var chosen = Ops.Gather(logProbabilities, 1, index);
        var weight = Tensor.FromArray<float>(weights, [n, 1], logits.Device);
        var total = Ops.Sum(chosen * weight);
        return (total * (-1.0 / supervised)).MoveToOuterScope();
    }
}
