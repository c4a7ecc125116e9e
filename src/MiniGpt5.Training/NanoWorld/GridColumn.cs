namespace MiniGpt5.Training.NanoWorld;

/// <summary>The column of the 3x3 placement grid.</summary>
public enum GridColumn
{
    /// <summary>Left third of the canvas.</summary>
    Left = 0,

    /// <summary>Middle third.</summary>
    Center = 1,

    /// <summary>Right third.</summary>
    Right = 2,
}
