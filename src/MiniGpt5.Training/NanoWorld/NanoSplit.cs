namespace MiniGpt5.Training.NanoWorld;

/// <summary>A dataset split.</summary>
public enum NanoSplit
{
    /// <summary>Training data (90% of all possible content).</summary>
    Train = 0,

    /// <summary>Validation data (5%).</summary>
    Val = 1,

    /// <summary>Held-out test data (5%).</summary>
    Test = 2,
}
