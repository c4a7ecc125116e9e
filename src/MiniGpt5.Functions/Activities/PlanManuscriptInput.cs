using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Activities;

/// <summary>The <see cref="IllustrationNames.PlanManuscript"/> activity's input; it returns a <see cref="ManuscriptPlan"/>.</summary>
/// <param name="ManuscriptId">The manuscript id.</param>
/// <param name="Source">Where the manuscript is.</param>
/// <param name="Options">Request options.</param>
public sealed record PlanManuscriptInput(string ManuscriptId, ManuscriptSource Source, ManuscriptOptions? Options = null);
