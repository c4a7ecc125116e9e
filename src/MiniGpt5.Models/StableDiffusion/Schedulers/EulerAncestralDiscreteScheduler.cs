using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// diffusers <c>EulerAncestralDiscreteScheduler</c> ("Euler a", k-diffusion's sample_euler_ancestral): in σ space, the
/// model input is scaled by 1/√(σ²+1); each step moves along the ODE derivative down to σ_down and adds fresh noise of
/// σ_up, with σ_up² + σ_down² = σ_next². The noise comes from the generator passed to <see cref="Step"/> (the
/// pipeline's seeded, torch-compatible one), one draw per step including the last.
/// Timesteps are fractional (float32), default spacing "linspace".
/// </summary>
public sealed class EulerAncestralDiscreteScheduler : SchedulerBase
{
    private readonly float[] _trainSigmas;
    private float[] _sigmas;
    private int? _stepIndex;

    /// <summary>An Euler-ancestral scheduler (prediction_type epsilon or v_prediction).</summary>
    public EulerAncestralDiscreteScheduler(SchedulerConfig config)
        : base(config, "linspace")
    {
        if (config.PredictionType is not ("epsilon" or "v_prediction"))
        {
            throw new ArgumentException($"Euler ancestral supports prediction_type epsilon and v_prediction, not '{config.PredictionType}'.", nameof(config));
        }

        if (config.RescaleBetasZeroSnr)
        {
            AlphasCumprod[^1] = MathF.Pow(2, -24);
        }

        _trainSigmas = NoiseSchedule.Sigmas(AlphasCumprod);
        // Before SetTimesteps, the table runs from the largest σ down to 0, as diffusers initialises it.
        _sigmas = [.. _trainSigmas.Reverse(), 0f];
    }

    /// <inheritdoc />
    public override string Name => "euler-a";

    /// <summary>σ per step, then 0.</summary>
    public IReadOnlyList<float> Sigmas => _sigmas;

    /// <inheritdoc />
    public override double InitNoiseSigma
    {
        get
        {
            var max = _sigmas.Max();
            return Spacing is "linspace" or "trailing" ? max : MathF.Sqrt((max * max) + 1f);
        }
    }

    /// <inheritdoc />
    public override void SetTimesteps(int numInferenceSteps)
    {
        CheckSteps(numInferenceSteps);
        var n = Config.NumTrainTimesteps;
        float[] timesteps;
        switch (Spacing)
        {
            case "linspace":
                timesteps = new float[numInferenceSteps];
                var delta = numInferenceSteps == 1 ? 0.0 : (n - 1) / (double)(numInferenceSteps - 1);
                for (var i = 0; i < numInferenceSteps; i++)
                {
                    timesteps[numInferenceSteps - 1 - i] = (float)(i == numInferenceSteps - 1 && numInferenceSteps > 1 ? n - 1 : i * delta);
                }

                break;
            case "leading":
                var ratio = n / numInferenceSteps;
                timesteps = Enumerable.Range(0, numInferenceSteps).Reverse().Select(i => (float)(i * ratio) + Config.StepsOffset).ToArray();
                break;
            default:
                timesteps = Arange(n, n / (double)numInferenceSteps).Select(t => (float)Math.Round(t, MidpointRounding.ToEven) - 1f).ToArray();
                break;
        }

        _sigmas = new float[timesteps.Length + 1];
        for (var i = 0; i < timesteps.Length; i++)
        {
            _sigmas[i] = (float)NoiseSchedule.Interpolate(_trainSigmas, timesteps[i]);
        }

        Timesteps = timesteps.Select(t => (double)t).ToArray();
        NumInferenceSteps = numInferenceSteps;
        _stepIndex = null;
    }

    /// <inheritdoc />
    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _stepIndex ??= IndexForTimestep(timestep);
        var sigma = _sigmas[_stepIndex.Value];
        return Ops.Div(sample, MathF.Sqrt((sigma * sigma) + 1f));
    }

    /// <inheritdoc />
    public override Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        CheckStepArguments(modelOutput, sample);
        ArgumentNullException.ThrowIfNull(generator, nameof(generator));
        using var scope = TensorScope.Enter();
        _stepIndex ??= IndexForTimestep(timestep);
        var i = _stepIndex.Value;
        var sigma = _sigmas[i];
        var predictedOriginal = Config.PredictionType == "epsilon"
            ? Ops.Sub(sample, Ops.Mul(modelOutput, sigma))
            : Ops.Add(Ops.Mul(modelOutput, -sigma / MathF.Sqrt((sigma * sigma) + 1f)), Ops.Div(sample, (sigma * sigma) + 1f));
        var sigmaFrom = _sigmas[i];
        var sigmaTo = _sigmas[i + 1];
        var sigmaUp = MathF.Sqrt(sigmaTo * sigmaTo * ((sigmaFrom * sigmaFrom) - (sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom));
        var sigmaDown = MathF.Sqrt((sigmaTo * sigmaTo) - (sigmaUp * sigmaUp));
        var derivative = Ops.Div(Ops.Sub(sample, predictedOriginal), sigma);
        var previous = Ops.Add(sample, Ops.Mul(derivative, sigmaDown - sigma));
        var noise = Tensor.Randn(modelOutput.Shape, generator);
        previous = Ops.Add(previous, Ops.Mul(noise, sigmaUp));
        _stepIndex = i + 1;
        return previous.MoveToOuterScope();
    }

    /// <inheritdoc />
    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, ReadOnlySpan<double> timesteps)
    {
        var one = new float[timesteps.Length];
        var sigma = new float[timesteps.Length];
        for (var b = 0; b < timesteps.Length; b++)
        {
            one[b] = 1f;
            sigma[b] = _sigmas[IndexForTimestep(timesteps[b])];
        }

        return Mix(originalSamples, one, noise, sigma);
    }

    private int IndexForTimestep(double timestep)
    {
        var matches = Enumerable.Range(0, Timesteps.Count).Where(k => Timesteps[k] == timestep).ToArray();
        if (matches.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, "Euler ancestral: the timestep is not one of this run's timesteps (call SetTimesteps first).");
        }

        return matches.Length > 1 ? matches[1] : matches[0];
    }
}
