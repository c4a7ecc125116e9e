using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Optim;

/// <summary>
/// AdamW against torch.optim.AdamW (adamw.safetensors): two groups with their own lr and weight decay,
/// get_linear_schedule_with_warmup through LambdaLR, the MiniGPT-5 row mask, and a parameter that never gets a
/// gradient (torch neither decays nor steps it). Parameters after every step within 2e-6 relative (float32
/// rounding of the update; the first step has lr 0 because of the warmup).
/// </summary>
public sealed class AdamWGoldenTests
{
    [Fact]
    public async Task AdamW_with_groups_schedule_and_row_mask_matches_torch()
    {
        using var golden = new GoldenCases("adamw.safetensors");
        var c = golden.Case("adamw");
        using var holder = new Holder(golden, c);
        var groups = new[]
        {
            new ParameterGroup("model", [("embed", holder.Embed), ("idle", holder.Idle)], 1e-2, 0.01),
            new ParameterGroup("head", [("weight", holder.Weight), ("bias", holder.Bias)], 2e-2, 0.1),
        };
        using var optimizer = new AdamW(groups);
        var schedule = new LinearWarmupSchedule(c.Int("warmup"), c.Int("total"));
        var mask = new GradientRowMask("embed", holder.Embed, c.Int("first_trainable_row"));
        using var store = new GradientStore();
        for (var step = 0; step < c.Int("steps"); step++)
        {
            schedule.Apply(optimizer, step);
            using (var scope = TensorScope.Enter())
            {
                foreach (var name in new[] { "embed", "weight", "bias" })
                {
                    store.Set(holder[name].Value, golden.Tensor(c, $"g{step}.{name}"));
                }
            }

            mask.Apply(store);
            optimizer.Step(store);
            store.ZeroGrad();
            foreach (var name in new[] { "embed", "weight", "bias", "idle" })
            {
                using var expected = golden.Tensor(c, $"p{step + 1}.{name}");
                Close.Assert(expected.ToFloatArray(), holder[name].Value.ToFloatArray(), 2e-6, 1e-7, $"step {step + 1} {name}");
            }
        }

        Assert.Equal(0, optimizer.StepCount(holder.Idle));
        Assert.Equal(4, optimizer.StepCount(holder.Embed));

        // The state round-trips: a fresh optimizer loaded from the file continues identically.
        var path = Path.Combine(Path.GetTempPath(), $"adamw-{Guid.NewGuid():N}.safetensors");
        try
        {
            await optimizer.SaveAsync(path);
            using var reloaded = new AdamW(groups);
            reloaded.Load(path);
            Assert.Equal(4, reloaded.StepCount(holder.Weight));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Linear_warmup_schedule_matches_transformers()
    {
        var schedule = new LinearWarmupSchedule(1000, 5000);
        Assert.Equal(0.0, schedule.Factor(0));
        Assert.Equal(0.5, schedule.Factor(500));
        Assert.Equal(1.0, schedule.Factor(1000));
        Assert.Equal(0.5, schedule.Factor(3000));
        Assert.Equal(0.0, schedule.Factor(5000));
        Assert.Equal(0.0, schedule.Factor(6000));
    }

    [Fact]
    public void Clipping_scales_gradients_to_the_global_norm()
    {
        using var module = new Linear(2, 2, bias: true);
        ParameterLeaves.Prepare(module);
        using var store = new GradientStore();
        using (TensorScope.Enter())
        {
            store.Set(module.Weight.Value, Tensor.FromArray<float>([3f, 0f, 0f, 0f], [2, 2]));
            store.Set(module.Bias!.Value, Tensor.FromArray<float>([0f, 4f], [2]));
        }

        var norm = GradientClipping.ClipByGlobalNorm(store, [module.Weight, module.Bias], 1.0);
        Assert.Equal(5.0, norm, 6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(store, [module.Weight, module.Bias]), 5);
    }

    private sealed class Holder : Module
    {
        public Holder(GoldenCases golden, GoldenCase c)
        {
            Embed = Param("embed", [6, 4]);
            Weight = Param("weight", [3, 4]);
            Bias = Param("bias", [3]);
            Idle = Param("idle", [2]);
            foreach (var (name, parameter) in NamedParameters())
            {
                using var scope = TensorScope.Enter();
                parameter.Assign(golden.Tensor(c, "p0." + name).DetachFromScope());
            }

            ParameterLeaves.Prepare(this);
        }

        public Parameter Embed { get; }

        public Parameter Weight { get; }

        public Parameter Bias { get; }

        public Parameter Idle { get; }

        public Parameter this[string name] => NamedParameters().Single(p => p.Name == name).Parameter;
    }
}
