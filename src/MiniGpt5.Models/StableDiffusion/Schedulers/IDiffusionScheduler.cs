using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// The diffusers scheduler contract: <see cref="SetTimesteps"/> before sampling, loop over <see cref="Timesteps"/>,
/// scale the model input with <see cref="ScaleModelInput"/>, and let <see cref="Step"/> turn the model's output into
/// the previous (less noisy) sample. Schedulers keep state between steps (multistep history), so one instance serves
/// one sampling run at a time; <see cref="SetTimesteps"/> starts a new run. <see cref="AddNoise"/> is the forward
/// process used by training and img2img.
/// </summary>
public interface IDiffusionScheduler : IDisposable
{
    /// <summary>The short name ("pndm", "ddim", "dpm++2m", "euler-a").</summary>
    string Name { get; }

    /// <summary>The config it was built from.</summary>
    SchedulerConfig Config { get; }

    /// <summary>The timesteps of the run, in order (PNDM repeats one for its warm-up: 50 steps give 51 entries).</summary>
    IReadOnlyList<double> Timesteps { get; }

    /// <summary>Standard deviation of the initial noise: the pipeline multiplies the N(0, 1) latents by it.</summary>
    double InitNoiseSigma { get; }

    /// <summary>Prepares a run of <paramref name="numInferenceSteps"/> steps and clears the state of any previous run.</summary>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>The UNet input for <paramref name="timestep"/> (identity except for Euler's σ scaling). Caller owns the result.</summary>
    Tensor ScaleModelInput(Tensor sample, double timestep);

    /// <summary>
    /// One denoising step: model output (noise, v or x0 per prediction_type) at <paramref name="timestep"/> and the
    /// current sample → the previous sample. Stochastic schedulers draw from <paramref name="generator"/>
    /// (torch.randn-compatible). Caller owns the result.
    /// </summary>
    Tensor Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null);

    /// <summary>The forward process: originals [B, ...] noised to each row's timestep. Caller owns the result.</summary>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, ReadOnlySpan<double> timesteps);
}
