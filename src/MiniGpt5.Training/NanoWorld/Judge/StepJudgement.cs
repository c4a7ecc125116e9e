namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// The judge's verdict on one step: does the image show what the text says? See <see cref="Matches"/> for the
/// definition the acceptance bar uses.
/// </summary>
/// <param name="Text">The step text judged, when the judgement started from text.</param>
/// <param name="Expected">The scene the text describes, or null when it could not be read.</param>
/// <param name="ParseProblem">Why the text could not be read, or null.</param>
/// <param name="Detected">What the image shows.</param>
/// <param name="Objects">One entry per object the text names, paired with a detected object (see <see cref="NanoJudge"/>).</param>
/// <param name="Background">The image's background is the named colour.</param>
/// <param name="Count">The image shows exactly as many objects as the text names.</param>
public sealed record StepJudgement(
    string? Text,
    NanoScene? Expected,
    string? ParseProblem,
    DetectedScene Detected,
    IReadOnlyList<ObjectJudgement> Objects,
    bool Background,
    bool Count)
{
    /// <summary>The text described a scene of the world.</summary>
    public bool Parsed => Expected is not null;

    /// <summary>Every named object was found with the right kind.</summary>
    public bool Kind => Parsed && Objects.All(o => o.Kind);

    /// <summary>Every named object was found with the right colour.</summary>
    public bool Color => Parsed && Objects.All(o => o.Color);

    /// <summary>Every named object was found with the right size.</summary>
    public bool Size => Parsed && Objects.All(o => o.Size);

    /// <summary>Every named object was found in the named cell.</summary>
    public bool Position => Parsed && Objects.All(o => o.Position);

    /// <summary>
    /// The step matches: the text was read; the background is right; the image shows exactly as many objects as
    /// the text names; and each named object is paired with its own detected object whose kind, colour and size
    /// are right and whose centre of mass lies in the named cell (a cell spans ±10.5 pixels around its centre).
    /// </summary>
    public bool Matches => Parsed && Background && Count && Objects.All(o => o.Matches);

    /// <summary>One line for logs: verdict, failed attributes, and what was seen.</summary>
    public override string ToString()
    {
        if (!Parsed)
        {
            return $"unreadable text: {ParseProblem}";
        }

        if (Matches)
        {
            return $"match: {Expected}";
        }

        var failed = new[]
        {
            (Background, "background"), (Count, "count"), (Kind, "kind"), (Color, "colour"), (Size, "size"), (Position, "position"),
        }.Where(a => !a.Item1).Select(a => a.Item2);
        return $"no match ({string.Join(", ", failed)}): expected {Expected}; saw {Detected}";
    }
}
