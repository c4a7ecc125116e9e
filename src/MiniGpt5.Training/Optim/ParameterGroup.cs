using MiniGpt5.Models.Nn;

namespace MiniGpt5.Training.Optim;

/// <summary>
/// A torch-style parameter group: named parameters sharing a learning rate and weight decay. The schedule scales
/// <see cref="BaseLearningRate"/> into <see cref="LearningRate"/> each step (LambdaLR).
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>A group; <paramref name="name"/> labels it in logs and optimizer state files.</summary>
    public ParameterGroup(string name, IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double weightDecay = 0.01)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate >= 0) || !(weightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Parameter group '{name}': learning rate {learningRate} and weight decay {weightDecay} must be non-negative.");
        }

        Name = name;
        Parameters = parameters.ToList();
        BaseLearningRate = learningRate;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        var duplicate = Parameters.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Parameter group '{name}' lists '{duplicate.Key}' twice.", nameof(parameters));
        }
    }

    /// <summary>Label of the group ("model", "fc", "mapper", "queries").</summary>
    public string Name { get; }

    /// <summary>The parameters, by their full state-dict names (unique across all groups of an optimizer).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>The learning rate the schedule scales (the group's "initial_lr").</summary>
    public double BaseLearningRate { get; }

    /// <summary>The learning rate of the next step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Decoupled weight decay (AdamW: p ← p·(1 − lr·wd) before the Adam step).</summary>
    public double WeightDecay { get; }
}
