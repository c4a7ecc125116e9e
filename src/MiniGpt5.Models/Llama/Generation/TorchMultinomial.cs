using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama.Generation;

/// <summary>
/// <c>torch.multinomial(probs, 1)</c> exactly as PyTorch 1.13 draws it on the CPU: one Exp(1) variate per category
/// (a double uniform u from the generator, -log(1 - u), rounded to float32), q_i = p_i / e_i in float32, and the
/// index of the first maximum. With our torch-compatible <see cref="Generator"/> the same seed picks the same tokens
/// as <c>torch.manual_seed(seed)</c> followed by the same draws (the Gumbel/exponential trick PyTorch uses for a
/// single sample).
/// </summary>
public static class TorchMultinomial
{
    /// <summary>One index drawn with weights <paramref name="probabilities"/> (non-negative, not all zero).</summary>
    public static int Sample(ReadOnlySpan<float> probabilities, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (probabilities.IsEmpty)
        {
            throw new ArgumentException("Cannot sample from an empty distribution.", nameof(probabilities));
        }

        var best = -1;
        var bestValue = float.NegativeInfinity;
        var firstNaN = -1;
        var any = false;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            if (!(p >= 0) || float.IsInfinity(p))
            {
                throw new ArgumentException($"Probability {p} at index {i} is negative, infinite or NaN.", nameof(probabilities));
            }

            // Every category consumes its variate, chosen or not, so the generator advances exactly as torch's.
            var exponential = (float)-Math.Log(1.0 - generator.NextDouble());
            var q = p / exponential;
            any |= p > 0;
            if (float.IsNaN(q))
            {
                // 0/0 when u is exactly 0: torch's argmax ranks NaN above every number.
                firstNaN = firstNaN < 0 ? i : firstNaN;
            }
            else if (q > bestValue || best < 0)
            {
                bestValue = q;
                best = i;
            }
        }

        if (!any)
        {
            throw new ArgumentException("Every probability is zero; nothing can be sampled.", nameof(probabilities));
        }

        return firstNaN >= 0 ? firstNaN : best;
    }
}
