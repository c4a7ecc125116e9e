using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.StableDiffusion.Schedulers;

/// <summary>The deterministic fixtures of diffusers' tests/schedulers/test_schedulers.py, in C#.</summary>
internal static class SchedulerTestKit
{
    /// <summary>diffusers' <c>dummy_sample_deter</c>: arange(768).reshape(3, 8, 8, 4) / 768, permuted to [4, 3, 8, 8].</summary>
    public static Tensor DummySampleDeter() => Deterministic(flip: false);

    /// <summary>diffusers' <c>dummy_noise_deter</c>: the same with arange flipped.</summary>
    public static Tensor DummyNoiseDeter() => Deterministic(flip: true);

    /// <summary>diffusers' <c>dummy_model</c>: sample · t / (t + 1), in float32.</summary>
    public static Tensor DummyModel(Tensor sample, double t) => Ops.Div(Ops.Mul(sample, t), (float)t + 1f);

    /// <summary>The SD-2.1-base scheduler_config.json.</summary>
    public static SchedulerConfig StableDiffusion21 => new()
    {
        ClassName = "PNDMScheduler",
        NumTrainTimesteps = 1000,
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        BetaSchedule = "scaled_linear",
        ClipSample = false,
        PredictionType = "epsilon",
        SetAlphaToOne = false,
        SkipPrkSteps = true,
        StepsOffset = 1,
    };

    /// <summary>The base config of diffusers' scheduler tests.</summary>
    public static SchedulerConfig TestBase => new() { NumTrainTimesteps = 1000, BetaStart = 0.0001, BetaEnd = 0.02, BetaSchedule = "linear" };

    public static double AbsSum(Tensor x) => x.ToFloatArray().Sum(v => Math.Abs((double)v));

    public static double AbsMean(Tensor x) => AbsSum(x) / x.NumElements;

    private static Tensor Deterministic(bool flip)
    {
        const int N = 4 * 3 * 8 * 8;
        var values = new float[N];
        // [b, c, h, w] ← element (c, h, w, b) of arange(N).reshape(3, 8, 8, 4).
        for (var b = 0; b < 4; b++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var h = 0; h < 8; h++)
                {
                    for (var w = 0; w < 8; w++)
                    {
                        var index = (((c * 8) + h) * 8 + w) * 4 + b;
                        var value = flip ? N - 1 - index : index;
                        values[(((b * 3) + c) * 8 + h) * 8 + w] = (float)value / N;
                    }
                }
            }
        }

        return Tensor.FromArray<float>(values, [4, 3, 8, 8]);
    }
}
