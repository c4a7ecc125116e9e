namespace MiniGpt5.Training.NanoWorld;

/// <summary>What changes between one story step and the next (exactly one change per step).</summary>
public enum NanoStoryEvent
{
    /// <summary>The first step: nothing came before.</summary>
    Start = 0,

    /// <summary>A new object appears in an empty cell.</summary>
    Appear,

    /// <summary>An object disappears (never the last one).</summary>
    Disappear,

    /// <summary>An object moves to an empty cell.</summary>
    Move,

    /// <summary>An object takes another colour.</summary>
    Recolor,

    /// <summary>An object grows or shrinks.</summary>
    Resize,

    /// <summary>The background takes another colour.</summary>
    ChangeBackground,
}
