using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// diffusers <c>PNDMScheduler</c> (scheduling_pndm.py), Stable Diffusion's and MiniGPT-5's default. With
/// skip_prk_steps (SD's config) it is PLMS: 50 steps run 51 model evaluations over
/// [981, 961, 961, 941, …, 21, 1] — the repeated 961 is the warm-up, whose two evaluations are averaged from the cached
/// sample — and then combine the last 2, 3 and 4 noise estimates with Adams–Bashforth weights (3, −1)/2,
/// (23, −16, 5)/12 and (55, −59, 37, −9)/24. Without skip_prk_steps the first three steps are pseudo Runge–Kutta
/// (12 evaluations) as in the PNDM paper. The update is the paper's formula (9):
/// x_prev = √(ᾱ_prev/ᾱ_t)·x − (ᾱ_prev − ᾱ_t)·ε / (ᾱ_t·√(1−ᾱ_prev) + √(ᾱ_t(1−ᾱ_t)ᾱ_prev)), with ᾱ_prev = ᾱ_0 past the
/// end unless set_alpha_to_one. Scalars are float32 as in diffusers.
/// </summary>
public sealed class PndmScheduler : SchedulerBase
{
    private readonly float _finalAlphaCumprod;
    private readonly List<Tensor> _ets = [];
    private long[] _prkTimesteps = [];
    private long[] _plmsTimesteps = [];
    private Tensor? _curModelOutput;
    private Tensor? _curSample;
    private int _counter;

    /// <summary>A PNDM scheduler from <paramref name="config"/> (default spacing "leading", set_alpha_to_one false).</summary>
    public PndmScheduler(SchedulerConfig config)
        : base(config, "leading")
    {
        if (config.PredictionType is not ("epsilon" or "v_prediction"))
        {
            throw new ArgumentException($"PNDM supports prediction_type epsilon and v_prediction, not '{config.PredictionType}'.", nameof(config));
        }

        _finalAlphaCumprod = config.SetAlphaToOne ?? false ? 1f : AlphasCumprod[0];
    }

    /// <inheritdoc />
    public override string Name => "pndm";

    /// <summary>The Runge–Kutta warm-up timesteps (empty with skip_prk_steps).</summary>
    public IReadOnlyList<long> PrkTimesteps => _prkTimesteps;

    /// <summary>The linear multistep timesteps.</summary>
    public IReadOnlyList<long> PlmsTimesteps => _plmsTimesteps;

    /// <inheritdoc />
    public override void SetTimesteps(int numInferenceSteps)
    {
        CheckSteps(numInferenceSteps);
        ReleaseState();
        NumInferenceSteps = numInferenceSteps;
        // diffusers builds these from the ascending schedule.
        var ascending = SpacedTimesteps(numInferenceSteps).Reverse().ToArray();
        if (Config.SkipPrkSteps)
        {
            // [t0 … t_{n-2}, t_{n-2}, t_{n-1}] reversed: the second-highest timestep twice.
            _prkTimesteps = [];
            // (numpy's [-2:-1] is empty for a single step; a C# range would throw.)
            long[] repeated = ascending.Length >= 2 ? [ascending[^2]] : [];
            _plmsTimesteps = [.. ascending[..^1], .. repeated, ascending[^1]];
            Array.Reverse(_plmsTimesteps);
        }
        else
        {
            if (ascending.Length < 4)
            {
                throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, "PNDM with Runge–Kutta steps needs at least 4 inference steps.");
            }

            // The four highest timesteps, each with its half step: [a, a+h, b, b+h, c, c+h, d, d+h].
            var half = Config.NumTrainTimesteps / numInferenceSteps / 2;
            var pairs = ascending[^4..].SelectMany(t => new[] { t, t + half }).ToArray();
            // pairs[:-1] with every entry doubled, minus the first and last entry, reversed.
            var doubled = pairs[..^1].SelectMany(t => new[] { t, t }).ToArray();
            _prkTimesteps = doubled[1..^1];
            Array.Reverse(_prkTimesteps);
            _plmsTimesteps = ascending[..^3];
            Array.Reverse(_plmsTimesteps);
        }

        Timesteps = _prkTimesteps.Concat(_plmsTimesteps).Select(t => (double)t).ToArray();
    }

    /// <inheritdoc />
    public override Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        CheckStepArguments(modelOutput, sample);
        var t = (long)timestep;
        return _counter < _prkTimesteps.Length && !Config.SkipPrkSteps
            ? StepPrk(modelOutput, t, sample)
            : StepPlms(modelOutput, t, sample);
    }

    /// <summary>One pseudo Runge–Kutta sub-step (four per timestep: weights 1/6, 1/3, 1/3, 1/6).</summary>
    public Tensor StepPrk(Tensor modelOutput, long timestep, Tensor sample)
    {
        using var scope = TensorScope.Enter();
        var diffToPrevious = _counter % 2 != 0 ? 0 : Config.NumTrainTimesteps / NumInferenceSteps / 2;
        var previousTimestep = timestep - diffToPrevious;
        timestep = _prkTimesteps[_counter / 4 * 4];
        switch (_counter % 4)
        {
            case 0:
                Accumulate(modelOutput, 1.0 / 6);
                _ets.Add(Keep(modelOutput));
                ReplaceCurSample(sample);
                break;
            case 1:
            case 2:
                Accumulate(modelOutput, 1.0 / 3);
                break;
            default:
                modelOutput = _curModelOutput is null ? Ops.Mul(modelOutput, 1.0 / 6) : Ops.Add(_curModelOutput, Ops.Mul(modelOutput, 1.0 / 6));
                Release(_curModelOutput);
                _curModelOutput = null;
                break;
        }

        var previous = PreviousSample(_curSample ?? sample, timestep, previousTimestep, modelOutput);
        _counter++;
        return previous.MoveToOuterScope();
    }

    /// <summary>One linear multistep step.</summary>
    public Tensor StepPlms(Tensor modelOutput, long timestep, Tensor sample)
    {
        if (!Config.SkipPrkSteps && _ets.Count < 3)
        {
            throw new InvalidOperationException("PNDM: the PLMS steps can only run after the Runge–Kutta steps (at least 12 of them) when skip_prk_steps is false.");
        }

        using var scope = TensorScope.Enter();
        var stride = Config.NumTrainTimesteps / NumInferenceSteps;
        var previousTimestep = timestep - stride;
        if (_counter != 1)
        {
            while (_ets.Count > 3)
            {
                Release(_ets[0]);
                _ets.RemoveAt(0);
            }

            _ets.Add(Keep(modelOutput));
        }
        else
        {
            // The warm-up's second evaluation: step again from the cached sample, at the same timestep pair.
            previousTimestep = timestep;
            timestep += stride;
        }

        var e = _ets;
        if (e.Count == 1 && _counter == 0)
        {
            ReplaceCurSample(sample);
        }
        else if (e.Count == 1 && _counter == 1)
        {
            modelOutput = Ops.Div(Ops.Add(modelOutput, e[^1]), 2.0);
            sample = _curSample ?? throw new InvalidOperationException("PNDM: the warm-up sample is missing.");
            // Still needed below; released (kept alive by this scope's alias) after the update.
            var cached = sample.Alias();
            Release(_curSample);
            _curSample = null;
            sample = cached;
        }
        else if (e.Count == 2)
        {
            modelOutput = Ops.Div(Ops.Sub(Ops.Mul(e[^1], 3.0), e[^2]), 2.0);
        }
        else if (e.Count == 3)
        {
            modelOutput = Ops.Div(Ops.Add(Ops.Sub(Ops.Mul(e[^1], 23.0), Ops.Mul(e[^2], 16.0)), Ops.Mul(e[^3], 5.0)), 12.0);
        }
        else
        {
            var sum = Ops.Sub(Ops.Add(Ops.Sub(Ops.Mul(e[^1], 55.0), Ops.Mul(e[^2], 59.0)), Ops.Mul(e[^3], 37.0)), Ops.Mul(e[^4], 9.0));
            modelOutput = Ops.Mul(sum, 1.0 / 24);
        }

        var previous = PreviousSample(sample, timestep, previousTimestep, modelOutput);
        _counter++;
        return previous.MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override void ReleaseState()
    {
        base.ReleaseState();
        _ets.Clear();
        _curModelOutput = null;
        _curSample = null;
        _counter = 0;
    }

    private Tensor PreviousSample(Tensor sample, long timestep, long previousTimestep, Tensor modelOutput)
    {
        var alphaT = AlphasCumprod[timestep];
        var alphaPrev = previousTimestep >= 0 ? AlphasCumprod[previousTimestep] : _finalAlphaCumprod;
        var betaT = 1f - alphaT;
        var betaPrev = 1f - alphaPrev;
        if (Config.PredictionType == "v_prediction")
        {
            modelOutput = Ops.Add(Ops.Mul(modelOutput, MathF.Sqrt(alphaT)), Ops.Mul(sample, MathF.Sqrt(betaT)));
        }

        var sampleCoeff = MathF.Sqrt(alphaPrev / alphaT);
        var denominator = (alphaT * MathF.Sqrt(betaPrev)) + MathF.Sqrt(alphaT * betaT * alphaPrev);
        return Ops.Sub(Ops.Mul(sample, sampleCoeff), Ops.Div(Ops.Mul(modelOutput, alphaPrev - alphaT), denominator));
    }

    private void Accumulate(Tensor modelOutput, double weight)
    {
        var weighted = Ops.Mul(modelOutput, weight);
        var sum = _curModelOutput is null ? weighted : Ops.Add(_curModelOutput, weighted);
        Release(_curModelOutput);
        _curModelOutput = Keep(sum);
    }

    private void ReplaceCurSample(Tensor sample)
    {
        Release(_curSample);
        _curSample = Keep(sample);
    }
}
