using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Tests.Support;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Tests.Trainer;

/// <summary>The generic trainer: learning, exact resume, checkpoints, refusals.</summary>
public sealed class TrainerTests
{
    private static Trainer<TinyBatch> Build(TinyRegression model, string folder, long steps, bool resume, int batchSize = 5, int keep = 2)
    {
        var groups = new[]
        {
            new ParameterGroup("hidden", model.Hidden.NamedParameters("hidden."), 3e-2),
            new ParameterGroup("output", model.Output.NamedParameters("output."), 1e-2, weightDecay: 0.1),
        };
        var options = new TrainerOptions
        {
            OutputDirectory = folder,
            Steps = steps,
            BatchSize = batchSize,
            AccumulationSteps = 2,
            Seed = 9,
            CheckpointEvery = 2,
            KeepCheckpoints = keep,
            Resume = resume,
        };
        return new Trainer<TinyBatch>(options, groups, model, model, model, new LinearWarmupSchedule(2, 8));
    }

    private static float[][] Values(TinyRegression model) => model.NamedParameters().Select(p => p.Parameter.Value.ToFloatArray()).ToArray();

    [Fact]
    public async Task Training_reduces_the_loss()
    {
        using var folder = new TempFolder();
        using var model = new TinyRegression();
        var trainer = Build(model, folder.Path, 8, resume: false);
        var first = await trainer.ValidateAsync(0);
        var state = await trainer.RunAsync();
        Assert.Equal(8, state.Step);
        Assert.True(state.LastValidationLoss < first, $"validation loss {state.LastValidationLoss} is not below the initial {first}");
    }

    [Fact]
    public async Task Resuming_from_a_checkpoint_continues_bit_for_bit()
    {
        using var straight = new TempFolder();
        using var split = new TempFolder();
        using var reference = new TinyRegression();
        await Build(reference, straight.Path, 8, resume: false).RunAsync();

        using (var firstHalf = new TinyRegression())
        {
            var state = await Build(firstHalf, split.Path, 4, resume: false).RunAsync();
            Assert.Equal(4, state.Step);
        }

        // A fresh process: new model from the same initialisation, everything else from the checkpoint.
        using var resumed = new TinyRegression();
        var progress = new List<TrainingProgress>();
        var final = await Build(resumed, split.Path, 8, resume: true).RunAsync(new Progress(progress));
        Assert.Equal(8, final.Step);
        Assert.Equal(5, progress.First().Step);
        var expected = Values(reference);
        var actual = Values(resumed);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public async Task Checkpoints_are_complete_folders_and_old_ones_are_pruned()
    {
        using var folder = new TempFolder();
        using var model = new TinyRegression();
        await Build(model, folder.Path, 6, resume: false, keep: 2).RunAsync();
        var store = new CheckpointStore(folder.Path);
        Assert.Equal([4L, 6L], store.List().Select(c => c.Step));
        foreach (var (_, path) in store.List())
        {
            Assert.True(File.Exists(Path.Combine(path, CheckpointStore.ModelFile)));
            Assert.True(File.Exists(Path.Combine(path, CheckpointStore.OptimizerFile)));
        }

        Assert.Empty(Directory.EnumerateDirectories(store.Root, ".*"));
    }

    [Fact]
    public async Task Resuming_with_other_batching_is_refused()
    {
        using var folder = new TempFolder();
        using (var model = new TinyRegression())
        {
            await Build(model, folder.Path, 2, resume: false).RunAsync();
        }

        using var other = new TinyRegression();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Build(other, folder.Path, 4, resume: true, batchSize: 3).RunAsync());
        Assert.Contains("batch size was 5, now 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_finite_loss_stops_training_before_the_update()
    {
        using var folder = new TempFolder();
        using var model = new TinyRegression { NaNAtStep = 1 };
        var error = await Assert.ThrowsAsync<TrainingDivergedException>(() => Build(model, folder.Path, 4, resume: false).RunAsync());
        Assert.Equal(1, error.Step);
        Assert.All(Values(model), v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
    }

    private sealed class Progress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sink.Add(value);
    }
}
