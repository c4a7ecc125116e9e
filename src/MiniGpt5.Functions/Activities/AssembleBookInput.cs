using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Activities;

/// <summary>The <see cref="IllustrationNames.AssembleBook"/> activity's input; it returns a <see cref="BookAssemblyResult"/>.</summary>
/// <param name="Plan">The plan.</param>
/// <param name="Results">One result per step (images by reference).</param>
/// <param name="Book">The book folder.</param>
/// <param name="CreatedAt">The orchestration's clock when assembly started: a retry writes the same bytes.</param>
public sealed record AssembleBookInput(ManuscriptPlan Plan, IReadOnlyList<StepResult> Results, BookLocation Book, DateTime CreatedAt);
