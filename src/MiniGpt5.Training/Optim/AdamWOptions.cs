namespace MiniGpt5.Training.Optim;

/// <summary>torch.optim.AdamW hyperparameters shared by every group (lr and weight decay are per group).</summary>
public sealed record AdamWOptions
{
    /// <summary>β₁, the decay of the first-moment average.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>β₂, the decay of the second-moment average.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the bias-corrected root second moment.</summary>
    public double Epsilon { get; init; } = 1e-8;
}
