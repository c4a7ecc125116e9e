using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Hosting;

/// <summary>One manuscript's progress as a local run shows it.</summary>
/// <param name="ManuscriptId">Its id.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Title">Title, once planned.</param>
/// <param name="Phase">Where it is.</param>
/// <param name="Done">Steps done.</param>
/// <param name="Failed">Steps failed.</param>
/// <param name="Total">Steps in all (0 while planning).</param>
public sealed record ManuscriptStatusView(string ManuscriptId, string Source, string? Title, ProgressPhase Phase, int Done, int Failed, int Total);
