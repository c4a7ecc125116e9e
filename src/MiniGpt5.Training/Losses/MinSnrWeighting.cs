using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Losses;

/// <summary>
/// Min-SNR-γ loss weights (Hang et al.) as MiniGPT-5's compute_snr computes them: snr = (√ᾱ_t / √(1−ᾱ_t))² in
/// float32 and w = min(snr, γ)/snr, with γ = 5.
/// </summary>
public static class MinSnrWeighting
{
    /// <summary>The γ MiniGPT-5 uses.</summary>
    public const double DefaultGamma = 5.0;

    /// <summary>Per-timestep weights for <paramref name="timesteps"/> given the scheduler's ᾱ (float32 values).</summary>
    public static float[] Weights(ReadOnlySpan<float> alphasCumprod, ReadOnlySpan<long> timesteps, double gamma = DefaultGamma)
    {
        var weights = new float[timesteps.Length];
        for (var i = 0; i < timesteps.Length; i++)
        {
            var snr = Snr(alphasCumprod[(int)timesteps[i]]);
            weights[i] = Math.Min(snr, (float)gamma) / snr;
        }

        return weights;
    }

    /// <summary>(√ᾱ / √(1−ᾱ))², each step rounded to float32 as torch computes it.</summary>
    public static float Snr(float alphaCumprod)
    {
        var alpha = MathF.Sqrt(alphaCumprod);
        var sigma = MathF.Sqrt(1f - alphaCumprod);
        var ratio = alpha / sigma;
        return ratio * ratio;
    }

    /// <summary>mean_b(w_b · mean_{c,h,w}((prediction − target)²)) in float32; prediction/target [B, ...].</summary>
    public static Tensor WeightedMse(Tensor prediction, Tensor target, ReadOnlySpan<float> weights)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (weights.Length != prediction.Shape[0])
        {
            throw new ArgumentException($"WeightedMse: {weights.Length} weights for a batch of {prediction.Shape[0]}.", nameof(weights));
        }

        using var scope = TensorScope.Enter();
        var p = prediction.DType == DType.Float32 ? prediction : prediction.To(DType.Float32);
        var t = target.DType == DType.Float32 ? target : target.To(DType.Float32);
        var difference = p - t;
        var squared = difference * difference;
        var dims = Enumerable.Range(1, squared.Rank - 1).ToArray();
        var perSample = dims.Length == 0 ? squared : Ops.Mean(squared, dims);
        var w = Tensor.FromArray<float>(weights.ToArray(), [weights.Length], prediction.Device);
        return Ops.Mean(perSample * w).MoveToOuterScope();
    }
}
