namespace MiniGpt5.Functions.Manuscripts;

/// <summary>One chapter of a plan.</summary>
/// <param name="Index">1-based chapter number.</param>
/// <param name="Title">Heading, or null for an untitled chapter.</param>
/// <param name="FirstStep">Global number of its first step.</param>
/// <param name="StepCount">How many steps it has (at least one).</param>
public sealed record PlannedChapter(int Index, string? Title, int FirstStep, int StepCount);
