namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>How one object the text names was found in the image.</summary>
/// <param name="Expected">The object the text names.</param>
/// <param name="Found">The detected object paired with it, or null when none was left to pair.</param>
/// <param name="Kind">The pair's kinds agree.</param>
/// <param name="Color">The pair's colours agree.</param>
/// <param name="Size">The pair's sizes agree.</param>
/// <param name="Position">The found object's centre of mass lies in the named cell.</param>
public sealed record ObjectJudgement(NanoObject Expected, DetectedObject? Found, bool Kind, bool Color, bool Size, bool Position)
{
    /// <summary>Found with every attribute right.</summary>
    public bool Matches => Found is not null && Kind && Color && Size && Position;

    /// <summary>How many of the four attributes are right (0 when not found).</summary>
    public int AttributesRight => (Kind ? 1 : 0) + (Color ? 1 : 0) + (Size ? 1 : 0) + (Position ? 1 : 0);

    /// <summary>The pairing of <paramref name="expected"/> with <paramref name="found"/> (or with nothing).</summary>
    public static ObjectJudgement Pair(NanoObject expected, DetectedObject? found)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return found is null
            ? new ObjectJudgement(expected, null, false, false, false, false)
            : new ObjectJudgement(
                expected,
                found,
                found.Kind == expected.Kind,
                found.Color == expected.Color,
                found.Size == expected.Size,
                found.Cell == expected.Cell);
    }
}
