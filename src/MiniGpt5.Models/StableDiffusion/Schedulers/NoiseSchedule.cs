namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// The training noise schedule every scheduler starts from: betas, and ᾱ_t = Π(1 - β) (alphas_cumprod), in float32 as
/// diffusers keeps them. torch.linspace is computed here in double and rounded once (torch's own float32 kernel may
/// differ by one unit in the last place); torch.cumprod accumulates in double and rounds each output, as here.
/// </summary>
public static class NoiseSchedule
{
    /// <summary>β_t for t = 0..N-1 per the config's beta_schedule (or trained_betas).</summary>
    public static float[] Betas(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var n = config.NumTrainTimesteps;
        var betas = new float[n];
        if (config.TrainedBetas is { } trained)
        {
            return trained.Select(b => (float)b).ToArray();
        }

        switch (config.BetaSchedule)
        {
            case "linear":
                Linspace(config.BetaStart, config.BetaEnd, betas);
                break;
            case "scaled_linear":
                // The latent-diffusion schedule: linspace(√start, √end)², squared in float32.
                Linspace(Math.Sqrt(config.BetaStart), Math.Sqrt(config.BetaEnd), betas);
                for (var i = 0; i < n; i++)
                {
                    betas[i] *= betas[i];
                }

                break;
            case "squaredcos_cap_v2":
                // GLIDE's cosine schedule (betas_for_alpha_bar), in double, then float32.
                for (var i = 0; i < n; i++)
                {
                    betas[i] = (float)Math.Min(1 - (AlphaBar((i + 1.0) / n) / AlphaBar((double)i / n)), 0.999);
                }

                break;
            default:
                throw new ArgumentException($"beta_schedule '{config.BetaSchedule}' is not one of linear, scaled_linear, squaredcos_cap_v2.", nameof(config));
        }

        return config.RescaleBetasZeroSnr ? RescaleZeroTerminalSnr(betas) : betas;
    }

    /// <summary>ᾱ_t = Π_{s≤t}(1 - β_s) as float32.</summary>
    public static float[] AlphasCumprod(ReadOnlySpan<float> betas)
    {
        var result = new float[betas.Length];
        var product = 1.0;
        for (var i = 0; i < betas.Length; i++)
        {
            product *= 1f - betas[i];
            result[i] = (float)product;
        }

        return result;
    }

    /// <summary>
    /// diffusers' <c>rescale_zero_terminal_snr</c> (Lin et al. 2023): shift and scale √ᾱ so that the last timestep has
    /// zero signal, keeping the first. Float32 throughout.
    /// </summary>
    public static float[] RescaleZeroTerminalSnr(ReadOnlySpan<float> betas)
    {
        var sqrtAlphaBar = AlphasCumprod(betas).Select(MathF.Sqrt).ToArray();
        var first = sqrtAlphaBar[0];
        var last = sqrtAlphaBar[^1];
        var scale = first / (first - last);
        var alphaBar = sqrtAlphaBar.Select(a => (a - last) * scale).Select(a => a * a).ToArray();
        var result = new float[betas.Length];
        result[0] = 1f - alphaBar[0];
        for (var i = 1; i < result.Length; i++)
        {
            result[i] = 1f - (alphaBar[i] / alphaBar[i - 1]);
        }

        return result;
    }

    /// <summary>σ_t = √((1 - ᾱ_t) / ᾱ_t), elementwise in float32 (the Euler / DPM-Solver noise levels).</summary>
    public static float[] Sigmas(ReadOnlySpan<float> alphasCumprod)
    {
        var result = new float[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = MathF.Sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
        }

        return result;
    }

    /// <summary>numpy.interp(x, [0, 1, ..., n-1], values) for x inside the table (in double, like numpy).</summary>
    public static double Interpolate(ReadOnlySpan<float> values, double x)
    {
        if (x <= 0)
        {
            return values[0];
        }

        if (x >= values.Length - 1)
        {
            return values[^1];
        }

        var low = (int)Math.Floor(x);
        var fraction = x - low;
        // numpy's interp: slope·(x - x_low) + y_low.
        return ((values[low + 1] - (double)values[low]) * fraction) + values[low];
    }

    private static void Linspace(double start, double end, Span<float> output)
    {
        var n = output.Length;
        if (n == 1)
        {
            output[0] = (float)start;
            return;
        }

        var step = (end - start) / (n - 1);
        for (var i = 0; i < n; i++)
        {
            // torch fills the second half backwards from the end, so the last element is exactly `end`.
            output[i] = (float)(i < n / 2 ? start + (step * i) : end - (step * (n - 1 - i)));
        }
    }

    private static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
}
