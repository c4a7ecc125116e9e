using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;
using static MiniGpt5.Models.Tests.StableDiffusion.Schedulers.SchedulerTestKit;

namespace MiniGpt5.Models.Tests.StableDiffusion.Schedulers;

/// <summary>
/// The schedulers on SD-2.1-base's scheduler_config.json against the reference port in tools/reference/sd_reference.py
/// (itself checked against diffusers' published test values when the goldens are written): the noise schedule,
/// timesteps and sigmas for 50 steps, and short loops with a dummy model (ε and v-prediction, DDIM with η).
/// Tolerances: 1e-6 relative on ᾱ (torch.linspace rounds differently in its vectorised float32 kernel), 1e-6 relative on sigmas, 1e-5 of scale on loops.
/// </summary>
public sealed class SchedulerGoldenTests
{
    private const string File = "schedulers.safetensors";

    [Fact]
    public void Sd21_noise_schedule_matches_torch()
    {
        using var scheduler = new PndmScheduler(StableDiffusion21);
        using var expected = SdGoldens.Load(File, "alphas_cumprod");
        using var actual = Tensor.FromArray<float>(scheduler.AlphasCumprod, [scheduler.AlphasCumprod.Length]);
        SdGoldens.AssertClose(expected, actual, 1e-6, 0, "alphas_cumprod");
    }

    [Fact]
    public void Plms_for_50_steps_is_51_evaluations_with_the_duplicated_warmup_step()
    {
        using var scheduler = new PndmScheduler(StableDiffusion21);
        scheduler.SetTimesteps(50);
        var expected = new List<double> { 981, 961, 961 };
        for (var t = 941; t >= 1; t -= 20)
        {
            expected.Add(t);
        }

        Assert.Equal(51, scheduler.Timesteps.Count);
        Assert.Equal(expected, scheduler.Timesteps);
        Assert.Empty(scheduler.PrkTimesteps);
        Assert.Equal(1.0, scheduler.InitNoiseSigma);
    }

    [Theory]
    [InlineData("pndm")]
    [InlineData("ddim")]
    [InlineData("dpm++2m")]
    [InlineData("euler-a")]
    public void Timesteps_and_sigmas_for_50_steps_match_reference(string name)
    {
        using var scheduler = SchedulerFactory.Create(name, StableDiffusion21);
        scheduler.SetTimesteps(50);
        using var timesteps = SdGoldens.Load(File, $"{name}.timesteps_50");
        Assert.Equal(timesteps.ToFloatArray().Select(t => (double)t), scheduler.Timesteps);
        IReadOnlyList<float>? sigmas = scheduler switch
        {
            DpmSolverMultistepScheduler dpm => dpm.Sigmas,
            EulerAncestralDiscreteScheduler euler => euler.Sigmas,
            _ => null,
        };
        if (sigmas is not null)
        {
            using var expected = SdGoldens.Load(File, $"{name}.sigmas_50");
            using var actual = Tensor.FromArray<float>(sigmas.ToArray(), [sigmas.Count]);
            SdGoldens.AssertClose(expected, actual, 1e-6, 1e-7, name + " sigmas");
        }
    }

    [Theory]
    [InlineData("pndm", 5)]
    [InlineData("pndm", 7)]
    [InlineData("ddim", 5)]
    [InlineData("ddim", 7)]
    [InlineData("dpm++2m", 5)]
    [InlineData("dpm++2m", 7)]
    [InlineData("euler-a", 5)]
    [InlineData("euler-a", 7)]
    public void Dummy_model_loops_match_reference(string name, int steps)
    {
        using var scheduler = SchedulerFactory.Create(name, StableDiffusion21);
        var result = Loop(scheduler, steps, 7, (input, sample, t) => Ops.Sub(DummyModel(input, t), Ops.Mul(sample, 0.3)));
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, $"{name}.loop_{steps}"), result, 1e-5, $"{name} {steps} steps");
    }

    [Theory]
    [InlineData("pndm")]
    [InlineData("ddim")]
    [InlineData("dpm++2m")]
    [InlineData("euler-a")]
    public void V_prediction_loops_match_reference(string name)
    {
        using var scheduler = SchedulerFactory.Create(name, StableDiffusion21 with { PredictionType = "v_prediction" });
        var result = Loop(scheduler, 6, 3, (input, sample, t) => Ops.Sub(DummyModel(input, t), Ops.Mul(sample, 0.2)));
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, $"{name}.loop_v_6"), result, 1e-5, name + " v-prediction");
    }

    [Fact]
    public void Ddim_with_eta_draws_noise_like_torch()
    {
        using var scheduler = new DdimScheduler(StableDiffusion21) { Eta = 0.7 };
        scheduler.SetTimesteps(5);
        using var scope = TensorScope.Enter();
        var generator = new Generator(11);
        var sample = DummySampleDeter();
        foreach (var t in scheduler.Timesteps)
        {
            sample = scheduler.Step(Ops.Sub(DummyModel(sample, t), Ops.Mul(sample, 0.3)), t, sample, generator);
        }

        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "ddim.loop_5_eta"), sample, 1e-5, "ddim eta 0.7");
    }

    [Fact]
    public void Add_noise_uses_each_rows_timestep()
    {
        using var scheduler = new PndmScheduler(StableDiffusion21);
        using var scope = TensorScope.Enter();
        var noisy = scheduler.AddNoise(DummySampleDeter(), DummyNoiseDeter(), [1, 250, 999, 500]);
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "add_noise"), noisy, 1e-6, "add_noise");
    }

    [Theory]
    [InlineData("pndm")]
    [InlineData("ddim")]
    [InlineData("dpm++2m")]
    [InlineData("euler-a")]
    public void A_single_step_run_works(string name)
    {
        using var scheduler = SchedulerFactory.Create(name, StableDiffusion21);
        var result = Loop(scheduler, 1, 1, (input, sample, t) => DummyModel(input, t));
        Assert.Single(scheduler.Timesteps);
        Assert.All(result.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Unknown_scheduler_names_list_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => SchedulerFactory.Create("heun", StableDiffusion21));
        Assert.Contains("pndm, ddim, dpm++2m, euler-a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_before_set_timesteps_says_so()
    {
        using var scheduler = new DdimScheduler(StableDiffusion21);
        using var sample = DummySampleDeter();
        var error = Assert.Throws<InvalidOperationException>(() => scheduler.Step(sample, 1, sample));
        Assert.Contains("SetTimesteps", error.Message, StringComparison.Ordinal);
    }

    private static Tensor Loop(IDiffusionScheduler scheduler, int steps, ulong seed, Func<Tensor, Tensor, double, Tensor> model)
    {
        scheduler.SetTimesteps(steps);
        using var scope = TensorScope.Enter();
        var generator = new Generator(seed);
        var sample = Ops.Mul(DummySampleDeter(), scheduler.InitNoiseSigma);
        foreach (var t in scheduler.Timesteps)
        {
            var input = scheduler.ScaleModelInput(sample, t);
            sample = scheduler.Step(model(input, sample, t), t, sample, generator);
        }

        return sample.MoveToOuterScope();
    }
}
