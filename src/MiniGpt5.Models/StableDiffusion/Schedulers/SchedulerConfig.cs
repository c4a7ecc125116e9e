namespace MiniGpt5.Models.StableDiffusion.Schedulers;

/// <summary>
/// scheduler/scheduler_config.json, field for field. Any scheduler can be built from any SD scheduler config, as
/// diffusers' <c>from_config</c> does when a user swaps PNDM for DDIM: each scheduler reads the fields it knows, and
/// fields that are absent (null here) take that scheduler's own default (timestep_spacing is "leading" for
/// PNDM/DDIM but "linspace" for DPM-Solver and Euler; set_alpha_to_one is false for PNDM, true for DDIM).
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>diffusers' <c>_class_name</c> ("PNDMScheduler", ...), if any.</summary>
    public string? ClassName { get; init; }

    public int NumTrainTimesteps { get; init; } = 1000;

    public double BetaStart { get; init; } = 0.0001;

    public double BetaEnd { get; init; } = 0.02;

    /// <summary>"linear", "scaled_linear" (SD: linspace of √β, squared) or "squaredcos_cap_v2".</summary>
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>Explicit betas, overriding the schedule.</summary>
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>"epsilon", "v_prediction" or "sample".</summary>
    public string PredictionType { get; init; } = "epsilon";

    /// <summary>"leading", "linspace" or "trailing"; null = the scheduler's default.</summary>
    public string? TimestepSpacing { get; init; }

    public int StepsOffset { get; init; }

    /// <summary>Null = the scheduler's default.</summary>
    public bool? SetAlphaToOne { get; init; }

    /// <summary>PNDM: skip the Runge-Kutta warm-up and run PLMS only (SD's setting).</summary>
    public bool SkipPrkSteps { get; init; }

    /// <summary>DDIM: clip the predicted x0 to ±<see cref="ClipSampleRange"/>. Null = DDIM's default (true).</summary>
    public bool? ClipSample { get; init; }

    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>DPM-Solver: 1 or 2 (3 is not implemented).</summary>
    public int SolverOrder { get; init; } = 2;

    /// <summary>DPM-Solver: only "dpmsolver++" is implemented.</summary>
    public string AlgorithmType { get; init; } = "dpmsolver++";

    /// <summary>DPM-Solver: "midpoint" or "heun".</summary>
    public string SolverType { get; init; } = "midpoint";

    public bool LowerOrderFinal { get; init; } = true;

    public bool EulerAtFinal { get; init; }

    /// <summary>DPM-Solver: "zero" or "sigma_min".</summary>
    public string FinalSigmasType { get; init; } = "zero";

    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Reads scheduler_config.json.</summary>
    public static SchedulerConfig Load(string path) => FromConfig(DiffusersConfig.Load(path));

    /// <summary>Reads the fields; refuses options that would silently change the sampler (thresholding, Karras sigmas, ...).</summary>
    public static SchedulerConfig FromConfig(DiffusersConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        c.RequireAbsentOr("thresholding", false, f => c.GetBool(f), "dynamic thresholding is not implemented (it is meant for pixel-space models).");
        foreach (var field in new[] { "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas", "use_dynamic_shifting" })
        {
            c.RequireAbsentOr(field, false, f => c.GetBool(f), "only the model's own discrete sigmas are implemented.");
        }

        c.RequireNull("variance_type", "learned variances are not implemented (SD predicts noise only).");
        var config = new SchedulerConfig
        {
            ClassName = c.ClassName,
            NumTrainTimesteps = c.GetInt("num_train_timesteps", 1000),
            BetaStart = c.GetDouble("beta_start", 0.0001),
            BetaEnd = c.GetDouble("beta_end", 0.02),
            BetaSchedule = c.GetString("beta_schedule", "linear"),
            TrainedBetas = c.GetOptionalDoubleArray("trained_betas"),
            PredictionType = c.GetString("prediction_type", "epsilon"),
            TimestepSpacing = c.GetOptionalString("timestep_spacing"),
            StepsOffset = c.GetInt("steps_offset", 0),
            SetAlphaToOne = c.Has("set_alpha_to_one") ? c.GetBool("set_alpha_to_one") : null,
            SkipPrkSteps = c.GetBool("skip_prk_steps", false),
            ClipSample = c.Has("clip_sample") ? c.GetBool("clip_sample") : null,
            ClipSampleRange = c.GetDouble("clip_sample_range", 1.0),
            SolverOrder = c.GetInt("solver_order", 2),
            AlgorithmType = c.GetString("algorithm_type", "dpmsolver++"),
            SolverType = c.GetString("solver_type", "midpoint"),
            LowerOrderFinal = c.GetBool("lower_order_final", true),
            EulerAtFinal = c.GetBool("euler_at_final", false),
            FinalSigmasType = c.GetString("final_sigmas_type", "zero"),
            RescaleBetasZeroSnr = c.GetBool("rescale_betas_zero_snr", false),
        };
        if (config.BetaSchedule is not ("linear" or "scaled_linear" or "squaredcos_cap_v2") && config.TrainedBetas is null)
        {
            throw c.Invalid("beta_schedule", $"'{config.BetaSchedule}' is not one of linear, scaled_linear, squaredcos_cap_v2.");
        }

        if (config.PredictionType is not ("epsilon" or "v_prediction" or "sample"))
        {
            throw c.Invalid("prediction_type", $"'{config.PredictionType}' is not one of epsilon, v_prediction, sample.");
        }

        if (config.TimestepSpacing is not (null or "leading" or "linspace" or "trailing"))
        {
            throw c.Invalid("timestep_spacing", $"'{config.TimestepSpacing}' is not one of leading, linspace, trailing.");
        }

        return config;
    }
}
