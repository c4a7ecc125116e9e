namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// One of the nine cells of the placement grid. An object sits centred in its cell
/// (<see cref="NanoGeometry.CellCenter"/>); no two objects of a scene share a cell.
/// </summary>
public readonly record struct GridCell(GridRow Row, GridColumn Column)
{
    /// <summary>Number of cells.</summary>
    public const int Count = 9;

    /// <summary>Row-major index 0..8 (top left = 0, bottom right = 8).</summary>
    public int Index => ((int)Row * 3) + (int)Column;

    /// <summary>The cells in row-major order.</summary>
    public static IReadOnlyList<GridCell> All { get; } = [.. Enumerable.Range(0, Count).Select(FromIndex)];

    /// <summary>The cell with row-major <paramref name="index"/> 0..8.</summary>
    public static GridCell FromIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return new GridCell((GridRow)(index / 3), (GridColumn)(index % 3));
    }

    /// <summary>Chebyshev distance in cells (0 = same cell, 1 = touching, including diagonally).</summary>
    public int DistanceTo(GridCell other) =>
        Math.Max(Math.Abs((int)Row - (int)other.Row), Math.Abs((int)Column - (int)other.Column));

    /// <summary>The canonical English name, e.g. "top left", "middle", "bottom".</summary>
    public override string ToString() => NanoVocabulary.CellName(this);
}
