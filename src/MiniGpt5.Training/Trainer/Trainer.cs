using System.Diagnostics;
using System.Globalization;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Optim;

namespace MiniGpt5.Training.Trainer;

/// <summary>
/// A generic training loop: batches from an <see cref="IBatchSource{TBatch}"/>, a loss from an
/// <see cref="ITrainingTask{TBatch}"/>, AdamW over <see cref="ParameterGroup"/>s with a learning-rate schedule,
/// gradient accumulation, optional row masks and clipping, periodic validation and resumable checkpoints. The
/// MiniGPT-5 stages, the nano LLaMA and the nano latent-diffusion model are all configurations of it.
/// </summary>
/// <remarks>
/// Determinism: the data order of epoch e depends only on (seed, e); the generator a task draws from at step s,
/// micro-batch m only on (seed, s, m); the augmentation of a batch on (seed, batch index). So N steps in one run and
/// N/2 + resume + N/2 give the same parameters bit for bit.
/// </remarks>
public sealed class Trainer<TBatch>
    where TBatch : IDisposable
{
    private readonly TrainerOptions _options;
    private readonly IReadOnlyList<ParameterGroup> _groups;
    private readonly ITrainingTask<TBatch> _task;
    private readonly IBatchSource<TBatch> _train;
    private readonly IBatchSource<TBatch>? _validation;
    private readonly ILearningRateSchedule? _schedule;
    private readonly IReadOnlyList<GradientRowMask> _masks;
    private readonly AdamWOptions _adamOptions;

    /// <summary>A trainer; <paramref name="schedule"/> null means <see cref="LinearWarmupSchedule"/> needs the total
    /// steps and is built by the caller, or a constant rate when none is given.</summary>
    public Trainer(
        TrainerOptions options,
        IReadOnlyList<ParameterGroup> groups,
        ITrainingTask<TBatch> task,
        IBatchSource<TBatch> train,
        IBatchSource<TBatch>? validation = null,
        ILearningRateSchedule? schedule = null,
        IReadOnlyList<GradientRowMask>? masks = null,
        AdamWOptions? adamOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(train);
        if (options.Steps is null == options.Epochs is null)
        {
            throw new ArgumentException("Give exactly one of Steps and Epochs.", nameof(options));
        }

        if (options.BatchSize < 1 || options.AccumulationSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Batch size {options.BatchSize} and accumulation steps {options.AccumulationSteps} must be at least 1.");
        }

        if (train.Count == 0)
        {
            throw new ArgumentException("The training set is empty.", nameof(train));
        }

        _options = options;
        _groups = groups;
        _task = task;
        _train = train;
        _validation = validation is { Count: > 0 } ? validation : null;
        _schedule = schedule;
        _masks = masks ?? [];
        _adamOptions = adamOptions ?? new AdamWOptions();
        Sampler = new EpochSampler(train.Count, options.BatchSize, options.Shuffle, options.Seed);
        TotalSteps = options.Steps ?? Math.Max(1, (long)Math.Ceiling(options.Epochs!.Value * Sampler.BatchesPerEpoch / options.AccumulationSteps));
    }

    /// <summary>The training data order.</summary>
    public EpochSampler Sampler { get; }

    /// <summary>Optimizer steps this run ends at.</summary>
    public long TotalSteps { get; }

    /// <summary>Every trained parameter, by name, across groups.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _groups.SelectMany(g => g.Parameters).ToList();

    /// <summary>Trains to <see cref="TotalSteps"/> (from the latest checkpoint when resuming); returns the final state.</summary>
    public async Task<TrainerState> RunAsync(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var parameters = Parameters;
        foreach (var (name, parameter) in parameters)
        {
            if (!parameter.Trainable)
            {
                throw new InvalidOperationException($"Parameter '{name}' is in a parameter group but marked frozen (Trainable = false).");
            }

            ParameterLeaves.Prepare(parameter);
        }

        using var optimizer = new AdamW(_groups, _adamOptions);
        using var gradients = new GradientStore();
        var store = new CheckpointStore(_options.OutputDirectory);
        var step = 0L;
        double? lastLoss = null;
        double? lastValidation = null;
        if (_options.Resume && store.Latest() is { } latest)
        {
            var resumed = await CheckpointStore.LoadAsync(latest.Path, parameters, optimizer, cancellationToken).ConfigureAwait(false);
            CheckResumable(resumed, latest.Path);
            step = resumed.Step;
            lastLoss = resumed.LastLoss;
            lastValidation = resumed.LastValidationLoss;
        }

        var clock = Stopwatch.StartNew();
        var startStep = step;
        var lastCheckpointStep = step;
        var lastValidationStep = step;
        string? checkpoint = null;
        while (step < TotalSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (_schedule ?? new ConstantSchedule()).Apply(optimizer, step);
            var (loss, components) = await AccumulateAsync(step, gradients, cancellationToken).ConfigureAwait(false);
            foreach (var mask in _masks)
            {
                mask.Apply(gradients);
            }

            if (_options.MaxGradNorm is { } maxNorm)
            {
                GradientClipping.ClipByGlobalNorm(gradients, parameters.Select(p => p.Parameter), maxNorm);
            }

            optimizer.Step(gradients);
            gradients.ZeroGrad();
            var learningRate = _groups.Count > 0 ? _groups[0].LearningRate : 0;
            step++;
            lastLoss = loss;
            double? validation = null;
            if (_validation is not null && _options.ValidateEvery > 0 && step % _options.ValidateEvery == 0)
            {
                validation = lastValidation = await ValidateAsync(step, cancellationToken).ConfigureAwait(false);
                lastValidationStep = step;
            }

            checkpoint = null;
            if (_options.CheckpointEvery > 0 && step % _options.CheckpointEvery == 0)
            {
                checkpoint = await store.SaveAsync(State(step, lastLoss, lastValidation), parameters, optimizer, _options.KeepCheckpoints, cancellationToken).ConfigureAwait(false);
                lastCheckpointStep = step;
            }

            var rate = (step - startStep) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new TrainingProgress(step, TotalSteps, Epoch(step), loss, components, learningRate, rate, validation, checkpoint));
        }

        if (_validation is not null && lastValidationStep != step)
        {
            lastValidation = await ValidateAsync(step, cancellationToken).ConfigureAwait(false);
            progress?.Report(new TrainingProgress(step, TotalSteps, Epoch(step), lastLoss ?? double.NaN, new Dictionary<string, double>(), 0, 0, lastValidation));
        }

        var final = State(step, lastLoss, lastValidation);
        if (lastCheckpointStep != step || store.Latest() is null)
        {
            checkpoint = await store.SaveAsync(final, parameters, optimizer, _options.KeepCheckpoints, cancellationToken).ConfigureAwait(false);
            progress?.Report(new TrainingProgress(step, TotalSteps, Epoch(step), lastLoss ?? double.NaN, new Dictionary<string, double>(), 0, 0, null, checkpoint));
        }

        return final;
    }

    /// <summary>Mean loss over the validation set (or its first <see cref="TrainerOptions.ValidationBatches"/> batches),
    /// without recording gradients; the draws of the loss come from a fixed generator per batch, so successive
    /// validations are comparable.</summary>
    public async Task<double> ValidateAsync(long step, CancellationToken cancellationToken = default)
    {
        if (_validation is null)
        {
            throw new InvalidOperationException("No validation data was given.");
        }

        var sampler = new EpochSampler(_validation.Count, _options.BatchSize, shuffle: false, _options.Seed);
        var batches = _options.ValidationBatches > 0 ? Math.Min(_options.ValidationBatches, sampler.BatchesPerEpoch) : sampler.BatchesPerEpoch;
        double total = 0;
        long items = 0;
        for (var b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var indices = sampler.Batch(b);
            using var batch = await _validation.LoadAsync(indices, EpochSampler.MixSeed(_options.Seed, (ulong)b, 0xA11D), cancellationToken).ConfigureAwait(false);
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Enter();
            var context = new StepContext(step, b, new Generator(EpochSampler.MixSeed(_options.Seed, (ulong)b, 0xA11E)), Training: false);
            var result = _task.Loss(batch, context);
            total += result.Loss.Item<float>() * indices.Length;
            items += indices.Length;
        }

        return total / Math.Max(1, items);
    }

    private async Task<(double Loss, IReadOnlyDictionary<string, double> Components)> AccumulateAsync(
        long step, GradientStore gradients, CancellationToken cancellationToken)
    {
        var k = _options.AccumulationSteps;
        double loss = 0;
        var components = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var micro = 0; micro < k; micro++)
        {
            var batchIndex = (step * k) + micro;
            var indices = Sampler.Batch(batchIndex);
            using var batch = await _train.LoadAsync(indices, EpochSampler.MixSeed(_options.Seed, (ulong)batchIndex, 1), cancellationToken).ConfigureAwait(false);
            using var tape = GradientTape.Start();
            using var scope = TensorScope.Enter();
            var context = new StepContext(step, micro, new Generator(EpochSampler.MixSeed(_options.Seed, (ulong)step, (ulong)micro + 2)), Training: true);
            var result = _task.Loss(batch, context);
            var value = (double)result.Loss.Item<float>();
            if (!double.IsFinite(value))
            {
                throw new TrainingDivergedException(step, value, $"Parts: {Describe(result.Components)}. No parameter was updated by this step.");
            }

            // Lightning divides the loss by accumulate_grad_batches: the step uses the mean gradient.
            using var seed = Tensor.Full(result.Loss.Shape, 1.0 / k, DType.Float32, result.Loss.Device);
            tape.Backward(result.Loss, gradients, seed);
            loss += value / k;
            foreach (var (name, part) in result.Components)
            {
                components[name] = components.GetValueOrDefault(name) + (part / k);
            }
        }

        return (loss, components);
    }

    private void CheckResumable(TrainerState state, string path)
    {
        var mismatches = new List<string>();
        void Compare<T>(string what, T saved, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, now))
            {
                mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{what} was {saved}, now {now}"));
            }
        }

        Compare("seed", state.Seed, _options.Seed);
        Compare("batch size", state.BatchSize, _options.BatchSize);
        Compare("accumulation steps", state.AccumulationSteps, _options.AccumulationSteps);
        Compare("shuffle", state.Shuffle, _options.Shuffle);
        Compare("training items", state.TrainItems, _train.Count);
        if (mismatches.Count > 0)
        {
            throw new InvalidOperationException(
                $"Cannot resume exactly from {path}: {string.Join("; ", mismatches)}. Use the same settings and data, or start a new output folder.");
        }
    }

    private TrainerState State(long step, double? loss, double? validation) => new()
    {
        Step = step,
        TotalSteps = TotalSteps,
        Seed = _options.Seed,
        BatchSize = _options.BatchSize,
        AccumulationSteps = _options.AccumulationSteps,
        Shuffle = _options.Shuffle,
        TrainItems = _train.Count,
        LastLoss = loss,
        LastValidationLoss = validation,
    };

    private double Epoch(long step) => (double)step * _options.AccumulationSteps / Sampler.BatchesPerEpoch;

    private static string Describe(IReadOnlyDictionary<string, double> components) =>
        components.Count == 0 ? "(none)" : string.Join(", ", components.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} = {c.Value:G6}")));
}
