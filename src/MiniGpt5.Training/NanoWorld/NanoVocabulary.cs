namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The English words of the world: canonical words, the synonyms some caption templates use, and the
/// position phrases. <see cref="NanoCaptionWriter"/> writes only these; <see cref="NanoCaptionParser"/> reads
/// them back (plus a few spelling variants listed in the README).
/// </summary>
public static class NanoVocabulary
{
    /// <summary>Singular noun of a kind: "circle", "square", "triangle", "rectangle".</summary>
    public static string KindWord(ShapeKind kind) => kind switch
    {
        ShapeKind.Circle => "circle",
        ShapeKind.Square => "square",
        ShapeKind.Triangle => "triangle",
        ShapeKind.Rectangle => "rectangle",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind."),
    };

    /// <summary>The noun for <paramref name="count"/> objects of a kind ("circles" when more than one).</summary>
    public static string KindNoun(ShapeKind kind, int count) => count == 1 ? KindWord(kind) : KindWord(kind) + "s";

    /// <summary>"red", "orange", "yellow", "green", "blue", "purple", "black".</summary>
    public static string ColorWord(ShapeColor color) => color switch
    {
        ShapeColor.Red => "red",
        ShapeColor.Orange => "orange",
        ShapeColor.Yellow => "yellow",
        ShapeColor.Green => "green",
        ShapeColor.Blue => "blue",
        ShapeColor.Purple => "purple",
        ShapeColor.Black => "black",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown colour."),
    };

    /// <summary>"white", "pale blue", "pale green", "pale pink", "pale yellow".</summary>
    public static string BackgroundWord(BackgroundColor color) => color switch
    {
        BackgroundColor.White => "white",
        BackgroundColor.PaleBlue => "pale blue",
        BackgroundColor.PaleGreen => "pale green",
        BackgroundColor.PalePink => "pale pink",
        BackgroundColor.PaleYellow => "pale yellow",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown background colour."),
    };

    /// <summary>Canonical size word: "small" or "big".</summary>
    public static string SizeWord(ShapeSize size) => size switch
    {
        ShapeSize.Small => "small",
        ShapeSize.Big => "big",
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown size."),
    };

    /// <summary>The synonym some templates use instead: "little" or "large".</summary>
    public static string SizeSynonym(ShapeSize size) => size switch
    {
        ShapeSize.Small => "little",
        ShapeSize.Big => "large",
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown size."),
    };

    /// <summary>Number word for a group: "a"/"an" for one (by the next word), "two", "three".</summary>
    public static string CountWord(int count, string nextWord)
    {
        ArgumentNullException.ThrowIfNull(nextWord);
        return count switch
        {
            1 => nextWord.Length > 0 && "aeiou".Contains(nextWord[0], StringComparison.Ordinal) ? "an" : "a",
            2 => "two",
            3 => "three",
            _ => throw new ArgumentOutOfRangeException(nameof(count), count, "Groups hold 1 to 3 objects."),
        };
    }

    /// <summary>Short cell name for messages and keys: "top left", "top", "top right", "left", "middle", ….</summary>
    public static string CellName(GridCell cell) => (cell.Row, cell.Column) switch
    {
        (GridRow.Middle, GridColumn.Center) => "middle",
        (GridRow.Middle, var column) => ColumnWord(column),
        (var row, GridColumn.Center) => RowWord(row),
        (var row, var column) => $"{RowWord(row)} {ColumnWord(column)}",
    };

    /// <summary>
    /// The position phrase a caption uses for <paramref name="cell"/>: variant 0 is canonical ("at the top left",
    /// "on the left", "in the middle", "at the top"), variant 1 the paraphrase ("in the top left corner",
    /// "on the left side", "in the center", "at the top center").
    /// </summary>
    public static string PositionPhrase(GridCell cell, int variant)
    {
        var alternative = variant switch
        {
            0 => false,
            1 => true,
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Position phrases have variants 0 and 1."),
        };
        return (cell.Row, cell.Column) switch
        {
            (GridRow.Middle, GridColumn.Center) => alternative ? "in the center" : "in the middle",
            (GridRow.Middle, var column) => alternative ? $"on the {ColumnWord(column)} side" : $"on the {ColumnWord(column)}",
            (var row, GridColumn.Center) => alternative ? $"at the {RowWord(row)} center" : $"at the {RowWord(row)}",
            (var row, var column) => alternative ? $"in the {RowWord(row)} {ColumnWord(column)} corner" : $"at the {RowWord(row)} {ColumnWord(column)}",
        };
    }

    private static string RowWord(GridRow row) => row switch
    {
        GridRow.Top => "top",
        GridRow.Middle => "middle",
        GridRow.Bottom => "bottom",
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, "Unknown row."),
    };

    private static string ColumnWord(GridColumn column) => column switch
    {
        GridColumn.Left => "left",
        GridColumn.Center => "center",
        GridColumn.Right => "right",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown column."),
    };
}
