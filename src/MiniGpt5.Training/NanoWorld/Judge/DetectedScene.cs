namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>What the judge read from an image.</summary>
/// <param name="Background">Nearest background palette colour to <see cref="MeasuredBackground"/>.</param>
/// <param name="MeasuredBackground">Per-channel median of the (smoothed) image in CIELAB.</param>
/// <param name="BackgroundDistance">ΔE from the measurement to the palette colour picked.</param>
/// <param name="Objects">Objects found, sorted by cell then by position.</param>
public sealed record DetectedScene(
    BackgroundColor Background,
    CieLab MeasuredBackground,
    double BackgroundDistance,
    IReadOnlyList<DetectedObject> Objects)
{
    /// <summary>
    /// The detection as a world scene, or null when it is not one (no object, more than three, or two in a cell).
    /// </summary>
    public NanoScene? AsNanoScene()
    {
        var objects = Objects.Select(o => o.AsNanoObject()).ToList();
        return objects.Count is 0 or > NanoScene.MaxObjects || objects.Select(o => o.Cell).Distinct().Count() != objects.Count
            ? null
            : new NanoScene(Background, objects);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{NanoVocabulary.BackgroundWord(Background)} background; {Objects.Count} object(s): {string.Join("; ", Objects)}";
}
