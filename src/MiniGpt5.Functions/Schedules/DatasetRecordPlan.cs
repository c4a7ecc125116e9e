namespace MiniGpt5.Functions.Schedules;

/// <summary>One image of a dataset run.</summary>
/// <param name="Index">1-based record number (names <c>steps/NNN.png</c>).</param>
/// <param name="Prompt">The text illustrated.</param>
/// <param name="Seed">Its seed.</param>
public sealed record DatasetRecordPlan(int Index, string Prompt, uint Seed);
