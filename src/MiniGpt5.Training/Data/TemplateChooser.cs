using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Data;

/// <summary>random.choice for templates, from a seeded generator, so one seed always builds the same dataset.</summary>
public sealed class TemplateChooser(ulong seed)
{
    private readonly Generator _generator = new(seed);

    /// <summary>One of <paramref name="options"/>, uniformly.</summary>
    public string Choose(IReadOnlyList<string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options[(int)(_generator.NextUInt64() % (ulong)options.Count)];
    }
}
