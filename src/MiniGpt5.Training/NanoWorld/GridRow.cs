namespace MiniGpt5.Training.NanoWorld;

/// <summary>The row of the 3x3 placement grid.</summary>
public enum GridRow
{
    /// <summary>Upper third of the canvas.</summary>
    Top = 0,

    /// <summary>Middle third.</summary>
    Middle = 1,

    /// <summary>Lower third.</summary>
    Bottom = 2,
}
