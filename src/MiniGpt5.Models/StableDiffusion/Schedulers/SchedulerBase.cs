using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>What the four schedulers share: the noise schedule, timestep spacing, config checks and owned tensors.</summary>
public abstract class SchedulerBase : IDiffusionScheduler
{
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    /// <summary>Reads the shared parts of <paramref name="config"/>; <paramref name="defaultSpacing"/> applies when
    /// the config has no timestep_spacing.</summary>
    protected SchedulerBase(SchedulerConfig config, string defaultSpacing)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Spacing = config.TimestepSpacing ?? defaultSpacing;
        var betas = NoiseSchedule.Betas(config);
        Betas = betas;
        AlphasCumprod = NoiseSchedule.AlphasCumprod(betas);
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public SchedulerConfig Config { get; }

    /// <summary>The timestep spacing in use.</summary>
    public string Spacing { get; }

    /// <summary>β per training timestep (float32).</summary>
    public IReadOnlyList<float> Betas { get; }

    /// <summary>ᾱ per training timestep (float32).</summary>
    public float[] AlphasCumprod { get; }

    /// <inheritdoc />
    public IReadOnlyList<double> Timesteps { get; protected set; } = [];

    /// <summary>Steps requested by the last <see cref="SetTimesteps"/> (0 before).</summary>
    public int NumInferenceSteps { get; protected set; }

    /// <inheritdoc />
    public virtual double InitNoiseSigma => 1.0;

    /// <inheritdoc />
    public abstract void SetTimesteps(int numInferenceSteps);

    /// <inheritdoc />
    public virtual Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Alias();
    }

    /// <inheritdoc />
    public abstract Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null);

    /// <inheritdoc />
    public virtual Tensor AddNoise(Tensor originalSamples, Tensor noise, ReadOnlySpan<double> timesteps)
    {
        // DDPM's q(x_t | x_0): √ᾱ_t·x0 + √(1-ᾱ_t)·ε, one timestep per batch row.
        var signal = new float[timesteps.Length];
        var noiseScale = new float[timesteps.Length];
        for (var i = 0; i < timesteps.Length; i++)
        {
            var alphaBar = AlphasCumprod[TrainIndex(timesteps[i])];
            signal[i] = MathF.Sqrt(alphaBar);
            noiseScale[i] = MathF.Sqrt(1f - alphaBar);
        }

        return Mix(originalSamples, signal, noise, noiseScale);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseState();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Evenly spaced integer timesteps, descending, by diffusers' rules (numpy arithmetic, round half to even):
    /// "leading" = i·(N // steps) + steps_offset, "linspace" = round(linspace(0, N-1, steps)),
    /// "trailing" = round(arange(N, 0, -N/steps)) - 1.
    /// </summary>
    protected long[] SpacedTimesteps(int steps) => SpacedTimesteps(Spacing, Config.NumTrainTimesteps, steps, Config.StepsOffset);

    /// <summary>The spacing rules for an explicit training length (DPM-Solver clips it).</summary>
    protected static long[] SpacedTimesteps(string spacing, int trainSteps, int steps, int stepsOffset)
    {
        switch (spacing)
        {
            case "linspace":
            {
                var result = new long[steps];
                var delta = steps == 1 ? 0.0 : (trainSteps - 1) / (double)(steps - 1);
                for (var i = 0; i < steps; i++)
                {
                    // numpy.linspace: i·step, with the last value exactly the stop.
                    var value = i == steps - 1 && steps > 1 ? trainSteps - 1 : i * delta;
                    result[steps - 1 - i] = (long)Math.Round(value, MidpointRounding.ToEven);
                }

                return result;
            }

            case "leading":
            {
                var result = new long[steps];
                var ratio = trainSteps / steps;
                for (var i = 0; i < steps; i++)
                {
                    result[steps - 1 - i] = ((long)i * ratio) + stepsOffset;
                }

                return result;
            }

            case "trailing":
                return Arange(trainSteps, trainSteps / (double)steps).Select(t => (long)Math.Round(t, MidpointRounding.ToEven) - 1).ToArray();
            default:
                throw new InvalidOperationException($"timestep_spacing '{spacing}' is not one of leading, linspace, trailing.");
        }
    }

    /// <summary>numpy.arange(start, 0, -stride): ceil(start / stride) values start - i·stride.</summary>
    protected static double[] Arange(double start, double stride)
    {
        var count = (int)Math.Ceiling(start / stride);
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = start + (i * -stride);
        }

        return result;
    }

    /// <summary>Validates a step count.</summary>
    protected void CheckSteps(int steps)
    {
        if (steps < 1 || steps > Config.NumTrainTimesteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"{Name}: the number of inference steps must be between 1 and num_train_timesteps ({Config.NumTrainTimesteps}).");
        }
    }

    /// <summary>The training-table index of a timestep that must be a whole number in range.</summary>
    protected int TrainIndex(double timestep)
    {
        var index = (int)Math.Round(timestep);
        if (index != timestep || index < 0 || index >= Config.NumTrainTimesteps)
        {
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, $"{Name}: timestep {timestep} is not a training timestep 0..{Config.NumTrainTimesteps - 1}.");
        }

        return index;
    }

    /// <summary>Keeps a reference to <paramref name="tensor"/>'s data across steps (outside any scope).</summary>
    protected Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var kept = tensor.Alias().DetachFromScope();
        _owned.Add(kept);
        return kept;
    }

    /// <summary>Frees a tensor kept with <see cref="Keep"/>.</summary>
    protected void Release(Tensor? tensor)
    {
        if (tensor is not null && _owned.Remove(tensor))
        {
            tensor.Dispose();
        }
    }

    /// <summary>Frees every kept tensor (a new run, or disposal).</summary>
    protected virtual void ReleaseState()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }

        _owned.Clear();
    }

    /// <summary>a·x + b·y with one float32 coefficient pair per batch row of x/y [B, ...].</summary>
    protected static Tensor Mix(Tensor x, ReadOnlySpan<float> a, Tensor y, ReadOnlySpan<float> b)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Shape[0] != a.Length)
        {
            throw new ArgumentException($"{a.Length} timesteps for a batch of {x.Shape[0]}.", nameof(a));
        }

        using var scope = TensorScope.Enter();
        // [B] → [B, 1, ..., 1] so each row scales by its own coefficient.
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[0] = a.Length;
        var ta = Tensor.FromArray(a, shape);
        var tb = Tensor.FromArray(b, shape);
        return Ops.Add(Ops.Mul(ta, x), Ops.Mul(tb, y)).MoveToOuterScope();
    }

    /// <summary>Checks a model output against the sample it came from.</summary>
    protected void CheckStepArguments(Tensor modelOutput, Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (NumInferenceSteps == 0)
        {
            throw new InvalidOperationException($"{Name}: call SetTimesteps before Step.");
        }

        if (!modelOutput.Shape.SequenceEqual(sample.Shape))
        {
            throw new ArgumentException(
                $"{Name}: model output [{string.Join(", ", modelOutput.ShapeArray())}] and sample [{string.Join(", ", sample.ShapeArray())}] differ in shape.", nameof(modelOutput));
        }
    }
}
