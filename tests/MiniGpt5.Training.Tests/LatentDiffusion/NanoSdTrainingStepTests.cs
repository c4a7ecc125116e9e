using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.LatentDiffusion;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Tests.Support;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Tests.LatentDiffusion;

/// <summary>The nano text-to-image and VAE tasks learn: a few AdamW steps on one fixed batch (same noise, timesteps and
/// posterior draws every time) lower its loss, on a tiny version of the nano architecture.</summary>
public sealed class NanoSdTrainingStepTests
{
    private static readonly NanoSdArchitecture Tiny = new()
    {
        VaeChannels = [8, 8, 8],
        VaeNormGroups = 4,
        UnetChannels = [16, 32],
        UnetHeads = [2, 2],
        UnetNormGroups = 8,
        TextWidth = 32,
        TextLayers = 1,
        TextHeads = 2,
        TextIntermediate = 64,
    };

    [Fact]
    public async Task Text_to_image_steps_lower_the_loss_of_a_fixed_batch()
    {
        using var temp = new TempFolder();
        using var model = await NanoSdModel.CreateAsync(Tiny, 7, Path.Combine(temp.Path, "tokenizer"));
        using var scheduler = SchedulerFactory.Create("ddim", NanoSdArchitecture.Scheduler());
        var task = new TextToImageTrainingTask(model, scheduler, unconditionalProbability: 0);
        var parameters = model.Unet.NamedParameters().Concat(model.TextEncoder.NamedParameters()).ToList();
        var (before, after) = Train(task, parameters, learningRate: 3e-3, steps: 6);
        // Measured: the loss falls by about half; a third is a safe bar that a broken gradient cannot pass.
        Assert.True(after < 0.67 * before, $"loss {before:F4} → {after:F4}");
    }

    [Fact]
    public async Task Vae_steps_lower_the_reconstruction_loss_of_a_fixed_batch()
    {
        using var temp = new TempFolder();
        using var model = await NanoSdModel.CreateAsync(Tiny, 7, Path.Combine(temp.Path, "tokenizer"));
        var task = new VaeTrainingTask(model.Vae, cropSize: 32);
        var (before, after) = Train(task, model.Vae.NamedParameters().ToList(), learningRate: 3e-3, steps: 6);
        Assert.True(after < 0.8 * before, $"loss {before:F4} → {after:F4}");
    }

    private static (double Before, double After) Train(ITrainingTask<NanoSdBatch> task, List<(string Name, Parameter Parameter)> parameters, double learningRate, int steps)
    {
        var examples = new NanoSdDataSource(0, NanoSplit.Train, 4, 0).Examples;
        using var batch = NanoSdDataSource.Render(examples.Select(e => e.Scene).ToList(), examples.Select(e => e.Text).ToList());
        foreach (var (_, parameter) in parameters)
        {
            ParameterLeaves.Prepare(parameter);
        }

        double Loss()
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Enter();
            return task.Loss(batch, new StepContext(0, 0, new Generator(5), Training: true)).Loss.Item<float>();
        }

        var before = Loss();
        using var optimizer = new AdamW([new ParameterGroup("all", parameters, learningRate, weightDecay: 0)]);
        using var store = new GradientStore();
        for (var step = 0; step < steps; step++)
        {
            using var tape = GradientTape.Start();
            using var scope = TensorScope.Enter();
            var result = task.Loss(batch, new StepContext(step, 0, new Generator(5), Training: true));
            tape.Backward(result.Loss, store);
            optimizer.Step(store);
            store.ZeroGrad();
        }

        return (before, Loss());
    }
}
