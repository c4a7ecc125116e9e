namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// Accuracy over a set of judged steps. <see cref="StepAccuracy"/> is the acceptance metric ("judged attributes
/// match the step text"); the per-attribute tallies say where the misses are. Background and count are checked
/// once per step; kind, colour, size and position once per object the text names (an object with no detected
/// partner fails all four). A step whose text cannot be read fails its background and count checks and names
/// no objects.
/// </summary>
/// <param name="Steps">Steps judged.</param>
/// <param name="Matched">Steps that match (<see cref="StepJudgement.Matches"/>).</param>
/// <param name="Unparsed">Steps whose text could not be read.</param>
/// <param name="Background">Background checks.</param>
/// <param name="Count">Object-count checks.</param>
/// <param name="Kind">Kind checks.</param>
/// <param name="Color">Colour checks.</param>
/// <param name="Size">Size checks.</param>
/// <param name="Position">Position checks.</param>
public sealed record NanoJudgeSummary(
    int Steps,
    int Matched,
    int Unparsed,
    AttributeTally Background,
    AttributeTally Count,
    AttributeTally Kind,
    AttributeTally Color,
    AttributeTally Size,
    AttributeTally Position)
{
    /// <summary>Matched / Steps: the fraction of steps whose image shows exactly what the text says.</summary>
    public double StepAccuracy => Steps == 0 ? double.NaN : Matched / (double)Steps;

    /// <summary>
    /// Attribute accuracy: passed checks over all checks, pooled across the six attributes (a micro-average,
    /// so a three-object step weighs more than a one-object step).
    /// </summary>
    public double AttributeAccuracy
    {
        get
        {
            var tallies = new[] { Background, Count, Kind, Color, Size, Position };
            var total = tallies.Sum(t => t.Total);
            return total == 0 ? double.NaN : tallies.Sum(t => t.Correct) / (double)total;
        }
    }

    /// <summary>Tallies <paramref name="judgements"/>.</summary>
    public static NanoJudgeSummary Of(IEnumerable<StepJudgement> judgements)
    {
        ArgumentNullException.ThrowIfNull(judgements);
        int steps = 0, matched = 0, unparsed = 0;
        AttributeTally background = default, count = default, kind = default, color = default, size = default, position = default;
        foreach (var j in judgements)
        {
            steps++;
            matched += j.Matches ? 1 : 0;
            unparsed += j.Parsed ? 0 : 1;
            background = background.Add(j.Parsed && j.Background);
            count = count.Add(j.Parsed && j.Count);
            foreach (var o in j.Objects)
            {
                kind = kind.Add(o.Kind);
                color = color.Add(o.Color);
                size = size.Add(o.Size);
                position = position.Add(o.Position);
            }
        }

        return new NanoJudgeSummary(steps, matched, unparsed, background, count, kind, color, size, position);
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"steps {Matched}/{Steps} match ({StepAccuracy:P1}); attribute accuracy {AttributeAccuracy:P1}; background {Background}, count {Count}, kind {Kind}, colour {Color}, size {Size}, position {Position}; unreadable texts {Unparsed}");
}
