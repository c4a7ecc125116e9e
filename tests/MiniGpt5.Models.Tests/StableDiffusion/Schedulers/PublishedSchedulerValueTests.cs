using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;
using static MiniGpt5.Models.Tests.StableDiffusion.Schedulers.SchedulerTestKit;

namespace MiniGpt5.Models.Tests.StableDiffusion.Schedulers;

/// <summary>
/// The expected values diffusers' own scheduler tests hard-code (tests/schedulers/test_scheduler_pndm.py, _ddim.py,
/// _dpm_multi.py, _euler_ancestral.py): the same deterministic sample and dummy model, the same loops, the same
/// tolerances (1e-2 on |x| sums, 1e-3 on |x| means, 1e-5 on DDIM variances).
/// </summary>
public sealed class PublishedSchedulerValueTests
{
    [Theory]
    [InlineData("epsilon", 0.0001, null, 198.1318, 0.2580)]
    [InlineData("v_prediction", 0.0001, null, 67.3986, 0.0878)]
    [InlineData("epsilon", 0.01, true, 230.0399, 0.2995)]
    [InlineData("epsilon", 0.01, false, 186.9482, 0.2434)]
    public void Pndm_full_loop_with_runge_kutta_warmup_matches_diffusers(string prediction, double betaStart, bool? alphaToOne, double sum, double mean)
    {
        using var scheduler = new PndmScheduler(TestBase with { PredictionType = prediction, BetaStart = betaStart, SetAlphaToOne = alphaToOne });
        scheduler.SetTimesteps(10);
        Assert.Equal(12, scheduler.PrkTimesteps.Count);
        var sample = RunLoop(scheduler, DummySampleDeter(), scaleInput: false);
        AssertSumMean(sample, sum, mean);
    }

    [Fact]
    public void Pndm_steps_offset_timesteps_match_diffusers()
    {
        using var scheduler = new PndmScheduler(TestBase with { StepsOffset = 1 });
        scheduler.SetTimesteps(10);
        Assert.Equal([901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601, 601, 501, 401, 301, 201, 101, 1], scheduler.Timesteps.Select(t => (int)t));
    }

    [Fact]
    public void Pndm_plms_without_runge_kutta_refuses_to_start()
    {
        using var scheduler = new PndmScheduler(TestBase);
        scheduler.SetTimesteps(50);
        using var sample = DummySampleDeter();
        Assert.Throws<InvalidOperationException>(() => scheduler.StepPlms(sample, 1, sample));
    }

    [Theory]
    [InlineData("epsilon", 0.0001, null, 172.0067, 0.223967)]
    [InlineData("v_prediction", 0.0001, null, 52.5302, 0.0684)]
    [InlineData("epsilon", 0.01, true, 149.8295, 0.1951)]
    [InlineData("epsilon", 0.01, false, 149.0784, 0.1941)]
    public void Ddim_full_loop_matches_diffusers(string prediction, double betaStart, bool? alphaToOne, double sum, double mean)
    {
        using var scheduler = new DdimScheduler(TestBase with { PredictionType = prediction, BetaStart = betaStart, SetAlphaToOne = alphaToOne, ClipSample = true });
        scheduler.SetTimesteps(10);
        var sample = RunLoop(scheduler, DummySampleDeter(), scaleInput: false);
        AssertSumMean(sample, sum, mean);
    }

    [Fact]
    public void Ddim_full_loop_from_noised_sample_matches_diffusers()
    {
        using var scheduler = new DdimScheduler(TestBase with { ClipSample = true });
        scheduler.SetTimesteps(10);
        var timesteps = scheduler.Timesteps.Skip(8).ToArray();
        using var scope = TensorScope.Enter();
        var sample = scheduler.AddNoise(DummySampleDeter(), DummyNoiseDeter(), Enumerable.Repeat(timesteps[0], 4).ToArray());
        foreach (var t in timesteps)
        {
            sample = scheduler.Step(DummyModel(sample, t), t, sample);
        }

        AssertSumMean(sample, 354.5418, 0.4616);
    }

    [Fact]
    public void Ddim_steps_offset_and_variances_match_diffusers()
    {
        using var offset = new DdimScheduler(TestBase with { StepsOffset = 1 });
        offset.SetTimesteps(5);
        Assert.Equal([801, 601, 401, 201, 1], offset.Timesteps.Select(t => (int)t));

        using var scheduler = new DdimScheduler(TestBase);
        Assert.InRange(scheduler.Variance(0, 0), -1e-5, 1e-5);
        Assert.InRange(scheduler.Variance(420, 400), 0.14771 - 1e-5, 0.14771 + 1e-5);
        Assert.InRange(scheduler.Variance(980, 960), 0.32460 - 1e-5, 0.32460 + 1e-5);
        Assert.InRange(scheduler.Variance(487, 486), 0.00979 - 1e-5, 0.00979 + 1e-5);
        Assert.InRange(scheduler.Variance(999, 998), 0.02 - 1e-5, 0.02 + 1e-5);
    }

    [Theory]
    [InlineData("epsilon", 0.3301)]
    [InlineData("v_prediction", 0.2251)]
    public void Dpm_solver_multistep_full_loop_matches_diffusers(string prediction, double mean)
    {
        using var scheduler = new DpmSolverMultistepScheduler(TestBase with
        {
            PredictionType = prediction,
            SolverOrder = 2,
            LowerOrderFinal = false,
            FinalSigmasType = "sigma_min",
        });
        scheduler.SetTimesteps(10);
        var sample = RunLoop(scheduler, DummySampleDeter(), scaleInput: false);
        Assert.InRange(AbsMean(sample), mean - 1e-3, mean + 1e-3);
    }

    [Fact]
    public void Dpm_solver_multistep_from_noised_sample_matches_diffusers()
    {
        using var scheduler = new DpmSolverMultistepScheduler(TestBase with { LowerOrderFinal = false, FinalSigmasType = "sigma_min" });
        scheduler.SetTimesteps(10);
        var timesteps = scheduler.Timesteps.Skip(5).ToArray();
        using var scope = TensorScope.Enter();
        var sample = scheduler.AddNoise(DummySampleDeter(), DummyNoiseDeter(), Enumerable.Repeat(timesteps[0], 4).ToArray());
        foreach (var t in timesteps)
        {
            sample = scheduler.Step(DummyModel(sample, t), t, sample);
        }

        AssertSumMean(sample, 318.4111, 0.4146);
    }

    [Theory]
    [InlineData("epsilon", 152.3192, 0.1983)]
    [InlineData("v_prediction", 108.4439, 0.1412)]
    public void Euler_ancestral_full_loop_with_seeded_noise_matches_diffusers(string prediction, double sum, double mean)
    {
        using var scheduler = new EulerAncestralDiscreteScheduler(TestBase with { NumTrainTimesteps = 1100, PredictionType = prediction });
        scheduler.SetTimesteps(10);
        using var scope = TensorScope.Enter();
        var generator = new Generator(0);
        var sample = Ops.Mul(DummySampleDeter(), scheduler.InitNoiseSigma);
        foreach (var t in scheduler.Timesteps)
        {
            // As the diffusers test does: the scaled sample is also what step() receives.
            sample = scheduler.ScaleModelInput(sample, t);
            sample = scheduler.Step(DummyModel(sample, t), t, sample, generator);
        }

        AssertSumMean(sample, sum, mean);
    }

    [Fact]
    public void Euler_ancestral_from_noised_sample_matches_diffusers()
    {
        using var scheduler = new EulerAncestralDiscreteScheduler(TestBase with { NumTrainTimesteps = 1100 });
        scheduler.SetTimesteps(10);
        using var scope = TensorScope.Enter();
        var generator = new Generator(0);
        var timesteps = scheduler.Timesteps.Skip(8).ToArray();
        var sample = Ops.Mul(DummySampleDeter(), scheduler.InitNoiseSigma);
        sample = scheduler.AddNoise(sample, DummyNoiseDeter(), Enumerable.Repeat(timesteps[0], 4).ToArray());
        foreach (var t in timesteps)
        {
            sample = scheduler.ScaleModelInput(sample, t);
            sample = scheduler.Step(DummyModel(sample, t), t, sample, generator);
        }

        AssertSumMean(sample, 56163.0508, 73.1290);
    }

    private static Tensor RunLoop(IDiffusionScheduler scheduler, Tensor sample, bool scaleInput)
    {
        using var scope = TensorScope.Enter();
        foreach (var t in scheduler.Timesteps)
        {
            var input = scaleInput ? scheduler.ScaleModelInput(sample, t) : sample;
            sample = scheduler.Step(DummyModel(input, t), t, sample);
        }

        return sample.MoveToOuterScope();
    }

    private static void AssertSumMean(Tensor sample, double sum, double mean)
    {
        var gotSum = AbsSum(sample);
        var gotMean = AbsMean(sample);
        Assert.True(Math.Abs(gotSum - sum) < 1e-2, $"|x| sum {gotSum}, diffusers {sum}");
        Assert.True(Math.Abs(gotMean - mean) < 1e-3, $"|x| mean {gotMean}, diffusers {mean}");
    }
}
