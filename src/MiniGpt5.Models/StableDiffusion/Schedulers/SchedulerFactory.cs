namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>Builds a scheduler by short name or diffusers class name from any SD scheduler config.</summary>
public static class SchedulerFactory
{
    /// <summary>The short names, in the order the CLI lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pndm", "ddim", "dpm++2m", "euler-a"];

    /// <summary>
    /// "pndm" (PNDMScheduler), "ddim" (DDIMScheduler), "dpm++2m" (DPMSolverMultistepScheduler), "euler-a"
    /// (EulerAncestralDiscreteScheduler); null takes the config's own class.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones).</exception>
    public static IDiffusionScheduler Create(string? name, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var key = (name ?? config.ClassName ?? "pndm").Trim().ToLowerInvariant();
        return key switch
        {
            "pndm" or "plms" or "pndmscheduler" => new PndmScheduler(config),
            "ddim" or "ddimscheduler" => new DdimScheduler(config),
            "dpm++2m" or "dpmsolver++" or "dpm-solver++" or "dpmsolvermultistepscheduler" => new DpmSolverMultistepScheduler(config),
            "euler-a" or "euler_a" or "eulerancestral" or "eulerancestraldiscretescheduler" => new EulerAncestralDiscreteScheduler(config),
            _ => throw new ArgumentException(
                $"Unknown scheduler '{name ?? config.ClassName}'. Known: {string.Join(", ", Names)} (or the diffusers class names PNDMScheduler, DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler).",
                nameof(name)),
        };
    }
}
