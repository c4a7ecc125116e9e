namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Draws random scenes and objects. The distribution (documented in the README): background uniform; 1, 2 or
/// 3 objects with weights 40 : 35 : 25 in distinct, uniformly chosen cells; the first object's kind, colour
/// and size uniform; each further object copies the looks of an earlier one with probability
/// <see cref="CopyLooksProbability"/> (so captions see counts of two and three), otherwise uniform looks.
/// </summary>
public static class NanoSceneSampler
{
    /// <summary>Chance that an added object repeats an existing object's kind, colour and size.</summary>
    public const double CopyLooksProbability = 0.35;

    private static readonly int[] ObjectCountWeights = [40, 35, 25];

    /// <summary>A random scene.</summary>
    public static NanoScene Sample(NanoRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var background = random.Pick(NanoPalette.AllBackgrounds);
        var count = 1 + random.PickWeighted(ObjectCountWeights);
        var cells = DistinctCells(random, count);
        var objects = new List<NanoObject>(count);
        foreach (var cell in cells)
        {
            objects.Add(NewObject(random, cell, objects));
        }

        return new NanoScene(background, objects);
    }

    /// <summary>
    /// An object for <paramref name="cell"/>: with probability <see cref="CopyLooksProbability"/> (when
    /// <paramref name="existing"/> is not empty) a copy of a random existing object's looks, otherwise uniform looks.
    /// </summary>
    public static NanoObject NewObject(NanoRandom random, GridCell cell, IReadOnlyList<NanoObject> existing)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.Count > 0 && random.Chance(CopyLooksProbability))
        {
            var model = random.Pick(existing);
            return model with { Cell = cell };
        }

        return RandomObject(random, cell);
    }

    /// <summary>An object with uniformly random kind, colour and size in <paramref name="cell"/>.</summary>
    public static NanoObject RandomObject(NanoRandom random, GridCell cell)
    {
        ArgumentNullException.ThrowIfNull(random);
        var kind = (ShapeKind)random.NextInt(Enum.GetValues<ShapeKind>().Length);
        var color = random.Pick(NanoPalette.AllShapeColors);
        var size = (ShapeSize)random.NextInt(Enum.GetValues<ShapeSize>().Length);
        return new NanoObject(kind, color, size, cell);
    }

    /// <summary><paramref name="count"/> distinct cells, uniformly (a partial Fisher–Yates shuffle of 0..8).</summary>
    public static IReadOnlyList<GridCell> DistinctCells(NanoRandom random, int count, IReadOnlyCollection<GridCell>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var pool = GridCell.All.Where(c => excluded is null || !excluded.Contains(c)).ToArray();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, pool.Length);
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..count];
    }
}
