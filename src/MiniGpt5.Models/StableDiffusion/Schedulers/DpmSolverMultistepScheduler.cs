using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// diffusers <c>DPMSolverMultistepScheduler</c> with algorithm_type "dpmsolver++" ("DPM++ 2M"): the model output is
/// turned into a data prediction x0, and each step solves the ODE in λ = log(α/σ) with a first-order update, then
/// second-order multistep updates using the previous x0 (midpoint or Heun form). With lower_order_final (default) the
/// last steps of short runs (&lt; 15 steps) drop to lower order; final_sigmas_type "zero" (default) ends exactly at σ = 0.
/// σ are the training noise levels interpolated at the (linspace-spaced by default) timesteps, float32 as in diffusers.
/// </summary>
public sealed class DpmSolverMultistepScheduler : SchedulerBase
{
    private readonly Tensor?[] _modelOutputs;
    private float[] _sigmas = [];
    private int? _stepIndex;
    private int _lowerOrderNums;

    /// <summary>A DPM-Solver++ multistep scheduler (default spacing "linspace").</summary>
    public DpmSolverMultistepScheduler(SchedulerConfig config)
        : base(config, "linspace")
    {
        if (config.AlgorithmType != "dpmsolver++")
        {
            throw new ArgumentException($"DPM-Solver: algorithm_type '{config.AlgorithmType}' is not implemented; only dpmsolver++.", nameof(config));
        }

        if (config.SolverOrder is not (1 or 2))
        {
            throw new ArgumentException($"DPM-Solver: solver_order {config.SolverOrder} is not implemented; use 1 or 2.", nameof(config));
        }

        if (config.SolverType is not ("midpoint" or "heun"))
        {
            throw new ArgumentException($"DPM-Solver: solver_type '{config.SolverType}' is not midpoint or heun.", nameof(config));
        }

        if (config.FinalSigmasType is not ("zero" or "sigma_min"))
        {
            throw new ArgumentException($"DPM-Solver: final_sigmas_type '{config.FinalSigmasType}' is not zero or sigma_min.", nameof(config));
        }

        if (config.RescaleBetasZeroSnr)
        {
            // diffusers keeps the last ᾱ just above zero so the first σ is finite.
            AlphasCumprod[^1] = MathF.Pow(2, -24);
        }

        _modelOutputs = new Tensor?[config.SolverOrder];
    }

    /// <inheritdoc />
    public override string Name => "dpm++2m";

    /// <summary>σ per step, plus the final σ (0 or σ_min).</summary>
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <inheritdoc />
    public override void SetTimesteps(int numInferenceSteps)
    {
        CheckSteps(numInferenceSteps);
        ReleaseState();
        var n = Config.NumTrainTimesteps;
        long[] timesteps;
        switch (Spacing)
        {
            case "linspace":
                // round(linspace(0, N-1, steps+1))[::-1][:-1]
                timesteps = SpacedTimesteps("linspace", n, numInferenceSteps + 1, 0)[..^1];
                break;
            case "leading":
                var ratio = n / (numInferenceSteps + 1);
                timesteps = Enumerable.Range(0, numInferenceSteps + 1).Select(i => ((long)i * ratio) + Config.StepsOffset).Reverse().ToArray()[..^1];
                break;
            default:
                timesteps = Arange(n, n / (double)numInferenceSteps).Select(t => (long)Math.Round(t, MidpointRounding.ToEven) - 1).ToArray();
                break;
        }

        var trainSigmas = NoiseSchedule.Sigmas(AlphasCumprod);
        _sigmas = new float[timesteps.Length + 1];
        for (var i = 0; i < timesteps.Length; i++)
        {
            _sigmas[i] = (float)NoiseSchedule.Interpolate(trainSigmas, timesteps[i]);
        }

        _sigmas[^1] = Config.FinalSigmasType == "sigma_min" ? MathF.Sqrt((1f - AlphasCumprod[0]) / AlphasCumprod[0]) : 0f;
        Timesteps = timesteps.Select(t => (double)t).ToArray();
        NumInferenceSteps = timesteps.Length;
    }

    /// <inheritdoc />
    public override Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        CheckStepArguments(modelOutput, sample);
        using var scope = TensorScope.Enter();
        _stepIndex ??= IndexForTimestep(timestep);
        var i = _stepIndex.Value;
        var count = Timesteps.Count;
        var lowerOrderFinal = i == count - 1 && (Config.EulerAtFinal || (Config.LowerOrderFinal && count < 15) || Config.FinalSigmasType == "zero");

        var x0 = DataPrediction(modelOutput, sample, _sigmas[i]);
        Release(_modelOutputs[0]);
        for (var k = 0; k < _modelOutputs.Length - 1; k++)
        {
            _modelOutputs[k] = _modelOutputs[k + 1];
        }

        _modelOutputs[^1] = Keep(x0);
        Tensor previous;
        if (Config.SolverOrder == 1 || _lowerOrderNums < 1 || lowerOrderFinal)
        {
            previous = FirstOrderUpdate(x0, sample, i);
        }
        else
        {
            // With solver_order ≤ 2, second order is the highest, so diffusers' lower_order_second changes nothing.
            previous = SecondOrderUpdate(sample, i);
        }

        if (_lowerOrderNums < Config.SolverOrder)
        {
            _lowerOrderNums++;
        }

        _stepIndex = i + 1;
        return previous.MoveToOuterScope();
    }

    /// <inheritdoc />
    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, ReadOnlySpan<double> timesteps)
    {
        var signal = new float[timesteps.Length];
        var noiseScale = new float[timesteps.Length];
        for (var b = 0; b < timesteps.Length; b++)
        {
            var (alpha, sigma) = AlphaSigma(_sigmas[IndexForTimestep(timesteps[b])]);
            signal[b] = alpha;
            noiseScale[b] = sigma;
        }

        return Mix(originalSamples, signal, noise, noiseScale);
    }

    /// <inheritdoc />
    protected override void ReleaseState()
    {
        base.ReleaseState();
        Array.Clear(_modelOutputs);
        _stepIndex = null;
        _lowerOrderNums = 0;
    }

    // σ → (α_t, σ_t) of the VP process: α = 1/√(σ²+1), σ_t = σ·α (float32).
    private static (float Alpha, float Sigma) AlphaSigma(float sigma)
    {
        var alpha = 1f / MathF.Sqrt((sigma * sigma) + 1f);
        return (alpha, sigma * alpha);
    }

    private static float Lambda(float alpha, float sigma) => MathF.Log(alpha) - MathF.Log(sigma);

    private int IndexForTimestep(double timestep)
    {
        var matches = Enumerable.Range(0, Timesteps.Count).Where(k => Timesteps[k] == timestep).ToArray();
        // The first step of a run that starts mid-schedule (img2img) takes the second match, as diffusers does.
        return matches.Length == 0 ? Timesteps.Count - 1 : matches.Length > 1 ? matches[1] : matches[0];
    }

    private Tensor DataPrediction(Tensor modelOutput, Tensor sample, float sigma)
    {
        var (alpha, sigmaT) = AlphaSigma(sigma);
        return Config.PredictionType switch
        {
            "epsilon" => Ops.Div(Ops.Sub(sample, Ops.Mul(modelOutput, sigmaT)), alpha),
            "sample" => modelOutput,
            _ => Ops.Sub(Ops.Mul(sample, alpha), Ops.Mul(modelOutput, sigmaT)),
        };
    }

    private Tensor FirstOrderUpdate(Tensor x0, Tensor sample, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(_sigmas[i + 1]);
        var (alphaS, sigmaS) = AlphaSigma(_sigmas[i]);
        var h = Lambda(alphaT, sigmaT) - Lambda(alphaS, sigmaS);
        // At σ = 0 (the end), λ = +∞ and e^{-h} = 0: the update returns x0 exactly.
        var sampleCoeff = sigmaT / sigmaS;
        var x0Coeff = alphaT * (MathF.Exp(-h) - 1f);
        return Ops.Sub(Ops.Mul(sample, sampleCoeff), Ops.Mul(x0, x0Coeff));
    }

    private Tensor SecondOrderUpdate(Tensor sample, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(_sigmas[i + 1]);
        var (alphaS0, sigmaS0) = AlphaSigma(_sigmas[i]);
        var (alphaS1, sigmaS1) = AlphaSigma(_sigmas[i - 1]);
        var lambdaT = Lambda(alphaT, sigmaT);
        var lambdaS0 = Lambda(alphaS0, sigmaS0);
        var lambdaS1 = Lambda(alphaS1, sigmaS1);
        var m0 = _modelOutputs[^1]!;
        var m1 = _modelOutputs[^2]!;
        var h = lambdaT - lambdaS0;
        var h0 = lambdaS0 - lambdaS1;
        var r0 = h0 / h;
        var d0 = m0;
        var d1 = Ops.Mul(Ops.Sub(m0, m1), 1f / r0);
        var expMinusH = MathF.Exp(-h) - 1f;
        var result = Ops.Sub(Ops.Mul(sample, sigmaT / sigmaS0), Ops.Mul(d0, alphaT * expMinusH));
        return Config.SolverType == "midpoint"
            ? Ops.Sub(result, Ops.Mul(d1, 0.5f * (alphaT * expMinusH)))
            : Ops.Add(result, Ops.Mul(d1, alphaT * ((expMinusH / h) + 1f)));
    }
}
