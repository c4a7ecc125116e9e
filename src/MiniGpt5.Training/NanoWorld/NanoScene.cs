using System.Text;

namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// What one picture shows: a background colour and 1 to <see cref="MaxObjects"/> objects in distinct grid cells.
/// Objects are kept sorted by cell, so two scenes with the same content are equal whatever order they were
/// listed in.
/// </summary>
public sealed class NanoScene : IEquatable<NanoScene>
{
    /// <summary>Most objects a scene holds.</summary>
    public const int MaxObjects = 3;

    /// <summary>Validates and sorts the objects.</summary>
    /// <exception cref="ArgumentException">No objects, more than <see cref="MaxObjects"/>, or two in one cell.</exception>
    public NanoScene(BackgroundColor background, IEnumerable<NanoObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        if (!Enum.IsDefined(background))
        {
            throw new ArgumentOutOfRangeException(nameof(background), background, "Unknown background colour.");
        }

        var sorted = objects.OrderBy(o => o.Cell.Index).ToArray();
        if (sorted.Length is 0 or > MaxObjects)
        {
            throw new ArgumentException($"A scene holds 1 to {MaxObjects} objects, not {sorted.Length}.", nameof(objects));
        }

        for (var i = 0; i < sorted.Length; i++)
        {
            var o = sorted[i];
            if (!Enum.IsDefined(o.Kind) || !Enum.IsDefined(o.Color) || !Enum.IsDefined(o.Size) ||
                !Enum.IsDefined(o.Cell.Row) || !Enum.IsDefined(o.Cell.Column))
            {
                throw new ArgumentOutOfRangeException(nameof(objects), o, "Object with an attribute outside the world's vocabulary.");
            }

            if (i > 0 && sorted[i - 1].Cell == o.Cell)
            {
                throw new ArgumentException($"Two objects share the {o.Cell} cell: {sorted[i - 1]} and {o}.", nameof(objects));
            }
        }

        Background = background;
        Objects = sorted;
    }

    /// <summary>Background colour.</summary>
    public BackgroundColor Background { get; }

    /// <summary>Objects sorted by <see cref="GridCell.Index"/>.</summary>
    public IReadOnlyList<NanoObject> Objects { get; }

    /// <summary>The object in <paramref name="cell"/>, or null.</summary>
    public NanoObject? At(GridCell cell) => Objects.FirstOrDefault(o => o.Cell == cell);

    /// <summary>
    /// A canonical, wording-independent description, e.g. <c>pale-pink|big-red-circle@3;small-blue-square@8</c>
    /// (cell indices row-major). Used for content hashing (split assignment) and in messages.
    /// </summary>
    public string Key
    {
        get
        {
            var builder = new StringBuilder();
            builder.Append(NanoVocabulary.BackgroundWord(Background).Replace(' ', '-'));
            for (var i = 0; i < Objects.Count; i++)
            {
                var o = Objects[i];
                builder.Append(i == 0 ? '|' : ';')
                    .Append(NanoVocabulary.SizeWord(o.Size)).Append('-')
                    .Append(NanoVocabulary.ColorWord(o.Color)).Append('-')
                    .Append(NanoVocabulary.KindWord(o.Kind)).Append('@')
                    .Append(o.Cell.Index);
            }

            return builder.ToString();
        }
    }

    /// <summary>A copy with another background.</summary>
    public NanoScene WithBackground(BackgroundColor background) => new(background, Objects);

    /// <summary>A copy with <paramref name="replaced"/> swapped for <paramref name="replacement"/> (null removes it).</summary>
    public NanoScene Replace(NanoObject replaced, NanoObject? replacement)
    {
        var list = Objects.ToList();
        var index = list.IndexOf(replaced);
        if (index < 0)
        {
            throw new ArgumentException($"{replaced} is not in the scene {Key}.", nameof(replaced));
        }

        if (replacement is null)
        {
            list.RemoveAt(index);
        }
        else
        {
            list[index] = replacement;
        }

        return new NanoScene(Background, list);
    }

    /// <summary>A copy with <paramref name="added"/> as one more object.</summary>
    public NanoScene Add(NanoObject added) => new(Background, Objects.Append(added));

    /// <inheritdoc />
    public bool Equals(NanoScene? other) =>
        other is not null && Background == other.Background && Objects.SequenceEqual(other.Objects);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NanoScene);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Background);
        foreach (var o in Objects)
        {
            hash.Add(o);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Key;
}
