namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>How many checks of one attribute passed.</summary>
/// <param name="Correct">Checks passed.</param>
/// <param name="Total">Checks made.</param>
public readonly record struct AttributeTally(int Correct, int Total)
{
    /// <summary>Correct / Total, or NaN when nothing was checked.</summary>
    public double Accuracy => Total == 0 ? double.NaN : Correct / (double)Total;

    /// <summary>This tally plus one check.</summary>
    public AttributeTally Add(bool correct) => new(Correct + (correct ? 1 : 0), Total + 1);

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Correct}/{Total} ({Accuracy:P1})");
}
