using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// diffusers <c>DDIMScheduler</c> (scheduling_ddim.py), formulas (12) and (16) of the DDIM paper: predict x0 from the
/// model output (epsilon, v or sample), optionally clip it, and step to
/// x_prev = √ᾱ_prev·x0 + √(1 − ᾱ_prev − σ²)·ε + σ·z with σ = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1 − ᾱ_t/ᾱ_prev)). η = 0 (the
/// default) is deterministic; η &gt; 0 draws z from the generator passed to <see cref="Step"/>.
/// </summary>
public sealed class DdimScheduler : SchedulerBase
{
    private readonly float _finalAlphaCumprod;

    /// <summary>A DDIM scheduler (default spacing "leading", set_alpha_to_one true, clip_sample true).</summary>
    public DdimScheduler(SchedulerConfig config)
        : base(config, "leading") =>
        _finalAlphaCumprod = config.SetAlphaToOne ?? true ? 1f : AlphasCumprod[0];

    /// <inheritdoc />
    public override string Name => "ddim";

    /// <summary>The η of the DDIM paper: 0 = deterministic DDIM, 1 = DDPM-like noise.</summary>
    public double Eta { get; set; }

    /// <inheritdoc />
    public override void SetTimesteps(int numInferenceSteps)
    {
        CheckSteps(numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
        Timesteps = SpacedTimesteps(numInferenceSteps).Select(t => (double)t).ToArray();
    }

    /// <summary>σ_t² of formula (16) for the pair (t, t_prev).</summary>
    public float Variance(int timestep, int previousTimestep)
    {
        var alphaT = AlphasCumprod[timestep];
        var alphaPrev = previousTimestep >= 0 ? AlphasCumprod[previousTimestep] : _finalAlphaCumprod;
        return (1f - alphaPrev) / (1f - alphaT) * (1f - (alphaT / alphaPrev));
    }

    /// <inheritdoc />
    public override Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        CheckStepArguments(modelOutput, sample);
        if (Eta > 0 && generator is null)
        {
            throw new ArgumentNullException(nameof(generator), "DDIM with eta > 0 draws noise and needs a generator.");
        }

        using var scope = TensorScope.Enter();
        var t = TrainIndex(timestep);
        var previousT = t - (Config.NumTrainTimesteps / NumInferenceSteps);
        var alphaT = AlphasCumprod[t];
        var alphaPrev = previousT >= 0 ? AlphasCumprod[previousT] : _finalAlphaCumprod;
        var betaT = 1f - alphaT;
        Tensor predictedOriginal, predictedEpsilon;
        switch (Config.PredictionType)
        {
            case "epsilon":
                predictedOriginal = Ops.Div(Ops.Sub(sample, Ops.Mul(modelOutput, MathF.Sqrt(betaT))), MathF.Sqrt(alphaT));
                predictedEpsilon = modelOutput;
                break;
            case "sample":
                predictedOriginal = modelOutput;
                predictedEpsilon = Ops.Div(Ops.Sub(sample, Ops.Mul(predictedOriginal, MathF.Sqrt(alphaT))), MathF.Sqrt(betaT));
                break;
            default:
                predictedOriginal = Ops.Sub(Ops.Mul(sample, MathF.Sqrt(alphaT)), Ops.Mul(modelOutput, MathF.Sqrt(betaT)));
                predictedEpsilon = Ops.Add(Ops.Mul(modelOutput, MathF.Sqrt(alphaT)), Ops.Mul(sample, MathF.Sqrt(betaT)));
                break;
        }

        if (Config.ClipSample ?? true)
        {
            predictedOriginal = Ops.Clamp(predictedOriginal, -Config.ClipSampleRange, Config.ClipSampleRange);
        }

        var std = (float)Eta * MathF.Sqrt(Variance(t, previousT));
        var direction = Ops.Mul(predictedEpsilon, MathF.Sqrt(1f - alphaPrev - (std * std)));
        var previous = Ops.Add(Ops.Mul(predictedOriginal, MathF.Sqrt(alphaPrev)), direction);
        if (Eta > 0)
        {
            previous = Ops.Add(previous, Ops.Mul(Tensor.Randn(modelOutput.Shape, generator!), std));
        }

        return previous.MoveToOuterScope();
    }
}
