using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Tests.Trainer;

/// <summary>A two-layer MLP fitting noisy targets: small enough for unit tests, with random draws in the loss (noise
/// on the inputs, like diffusion noise) so that resuming has to reproduce generator state.</summary>
internal sealed class TinyRegression : Module, ITrainingTask<TinyBatch>, IBatchSource<TinyBatch>
{
    private readonly float[] _x;
    private readonly float[] _y;

    public TinyRegression(int count = 24, ulong seed = 3)
    {
        Hidden = Child("hidden", new Linear(4, 16));
        Output = Child("output", new Linear(16, 2));
        InitializeWeights(new Generator(seed));
        var generator = new Generator(seed + 1);
        _x = new float[count * 4];
        _y = new float[count * 2];
        generator.FillNormal(_x);
        for (var i = 0; i < count; i++)
        {
            _y[(2 * i) + 0] = MathF.Sin(_x[4 * i]) + (0.5f * _x[(4 * i) + 1]);
            _y[(2 * i) + 1] = _x[(4 * i) + 2] * _x[(4 * i) + 3];
        }

        Count = count;
    }

    public Linear Hidden { get; }

    public Linear Output { get; }

    public int Count { get; }

    public float NaNAtStep { get; init; } = -1;

    public Task<TinyBatch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
    {
        var x = indices.SelectMany(i => _x.Skip(4 * i).Take(4)).ToArray();
        var y = indices.SelectMany(i => _y.Skip(2 * i).Take(2)).ToArray();
        return Task.FromResult(new TinyBatch(
            Tensor.FromArray<float>(x, [indices.Count, 4]).DetachFromScope(),
            Tensor.FromArray<float>(y, [indices.Count, 2]).DetachFromScope()));
    }

    public LossResult Loss(TinyBatch batch, StepContext context)
    {
        using var noise = Tensor.Randn(batch.X.Shape, context.Random);
        var noisy = batch.X + (noise * 0.05);
        var prediction = Output.Forward(Ops.Gelu(Hidden.Forward(noisy)));
        var difference = prediction - batch.Y;
        var loss = Ops.Mean(difference * difference);
        if (context.Step == NaNAtStep)
        {
            loss = loss * double.NaN;
        }

        return new LossResult(loss, new Dictionary<string, double> { ["mse"] = loss.Item<float>() });
    }
}

internal sealed record TinyBatch(Tensor X, Tensor Y) : IDisposable
{
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}
