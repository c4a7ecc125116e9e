using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama.Generation;

/// <summary>
/// Chooses next tokens from logits the way transformers 4.31's <c>generate</c> does, step for step: repetition
/// penalty (over the ids in the sequence so far), then, when sampling, temperature → top-k → top-p → softmax →
/// <c>torch.multinomial</c> (reproduced by <see cref="TorchMultinomial"/>); greedy decoding takes the first argmax
/// after the penalty. All scratch memory is allocated once, so a step allocates nothing.
/// </summary>
public sealed class TokenSampler
{
    private readonly float[] _scores;
    private readonly float[] _probabilities;
    private readonly float[] _selection;
    private readonly int[] _order;
    private readonly bool[] _seen;
    private readonly Generator? _generator;

    /// <summary>A sampler over <paramref name="vocabSize"/> ids; <paramref name="generator"/> is required unless greedy.</summary>
    public TokenSampler(int vocabSize, SamplingOptions options, Generator? generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!options.IsGreedy && generator is null)
        {
            throw new ArgumentNullException(nameof(generator), "Sampling needs a seeded generator; pass Temperature = 0 for greedy decoding.");
        }

        Options = options;
        _generator = generator;
        _scores = new float[vocabSize];
        _probabilities = new float[vocabSize];
        _selection = new float[vocabSize];
        _order = new int[vocabSize];
        _seen = new bool[vocabSize];
    }

    /// <summary>The settings.</summary>
    public SamplingOptions Options { get; }

    /// <summary>The scores after every processor of the last step (-inf where filtered out).</summary>
    public ReadOnlySpan<float> Scores => _scores;

    /// <summary>The distribution the last sampled token was drawn from (zeros after a greedy step).</summary>
    public ReadOnlySpan<float> Probabilities => _probabilities;

    /// <summary>
    /// The next token for <paramref name="logits"/> [V]. <paramref name="penalized"/> are the ids the repetition
    /// penalty applies to (HF: every id of the sequence so far, each counted once).
    /// </summary>
    public int Next(ReadOnlySpan<float> logits, ReadOnlySpan<int> penalized)
    {
        if (logits.Length != _scores.Length)
        {
            throw new ArgumentException($"Expected {_scores.Length} logits, got {logits.Length}.", nameof(logits));
        }

        logits.CopyTo(_scores);
        ApplyRepetitionPenalty(penalized);
        if (Options.IsGreedy)
        {
            Array.Clear(_probabilities);
            return ArgMax(_scores);
        }

        if (Options.Temperature != 1.0)
        {
            var temperature = (float)Options.Temperature;
            for (var i = 0; i < _scores.Length; i++)
            {
                _scores[i] /= temperature;
            }
        }

        if (Options.TopK > 0)
        {
            ApplyTopK(Math.Min(Options.TopK, _scores.Length));
        }

        if (Options.TopP < 1.0)
        {
            ApplyTopP((float)(1.0 - Options.TopP));
        }

        Softmax(_scores, _probabilities);
        return TorchMultinomial.Sample(_probabilities, _generator!);
    }

    /// <summary>Index of the first maximum (torch.argmax).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>RepetitionPenaltyLogitsProcessor: score &lt; 0 ? score·p : score/p, once per distinct id.</summary>
    private void ApplyRepetitionPenalty(ReadOnlySpan<int> ids)
    {
        if (Options.RepetitionPenalty == 1.0)
        {
            return;
        }

        var penalty = (float)Options.RepetitionPenalty;
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_scores.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary of {_scores.Length}.");
            }

            if (_seen[id])
            {
                continue;
            }

            _seen[id] = true;
            var score = _scores[id];
            _scores[id] = score < 0 ? score * penalty : score / penalty;
        }

        foreach (var id in ids)
        {
            _seen[id] = false;
        }
    }

    /// <summary>TopKLogitsWarper: scores below the k-th largest become -inf (ties with it survive).</summary>
    private void ApplyTopK(int k)
    {
        _scores.CopyTo(_selection, 0);
        var threshold = Select(_selection, _selection.Length - k);
        for (var i = 0; i < _scores.Length; i++)
        {
            if (_scores[i] < threshold)
            {
                _scores[i] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>
    /// TopPLogitsWarper: sort ascending, cumulative softmax (accumulated in double as torch's CPU cumsum does, compared
    /// in float32), drop the tokens whose cumulative probability is ≤ 1 - p, always keeping the most likely one.
    /// Only finite scores are sorted: the -inf ones have probability 0 and sit first in torch's order anyway.
    /// </summary>
    private void ApplyTopP(float removeAtOrBelow)
    {
        var count = 0;
        for (var i = 0; i < _scores.Length; i++)
        {
            if (!float.IsNegativeInfinity(_scores[i]))
            {
                _order[count++] = i;
            }
        }

        if (count == 0)
        {
            return;
        }

        var order = _order.AsSpan(0, count);
        order.Sort(new AscendingScore(_scores));
        var max = _scores[order[^1]];
        double sum = 0;
        foreach (var index in order)
        {
            sum += MathF.Exp(_scores[index] - max);
        }

        double cumulative = 0;
        for (var j = 0; j < count - 1; j++)
        {
            var index = order[j];
            cumulative += (float)(MathF.Exp(_scores[index] - max) / sum);
            if ((float)cumulative <= removeAtOrBelow)
            {
                _scores[index] = float.NegativeInfinity;
            }
        }
    }

    private static void Softmax(ReadOnlySpan<float> scores, Span<float> probabilities)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            max = MathF.Max(max, s);
        }

        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var e = float.IsNegativeInfinity(scores[i]) ? 0f : MathF.Exp(scores[i] - max);
            probabilities[i] = e;
            sum += e;
        }

        var inverse = (float)(1.0 / sum);
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] *= inverse;
        }
    }

    /// <summary>Orders ids by score, then by id (a struct comparer, so sorting allocates nothing).</summary>
    private readonly struct AscendingScore(float[] scores) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var c = scores[x].CompareTo(scores[y]);
            return c != 0 ? c : x.CompareTo(y);
        }
    }

    /// <summary>The element that would sit at <paramref name="rank"/> if <paramref name="values"/> were sorted ascending
    /// (quickselect, reorders the array).</summary>
    private static float Select(float[] values, int rank)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            var pivot = values[left + ((right - left) / 2)];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (rank <= j)
            {
                right = j;
            }
            else if (rank >= i)
            {
                left = i;
            }
            else
            {
                return values[rank];
            }
        }

        return values[rank];
    }
}
