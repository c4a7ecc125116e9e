using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Schedules;

/// <summary>The <c>WriteDatasetManifest</c> activity's input.</summary>
/// <param name="Run">The run.</param>
/// <param name="Results">One result per record.</param>
public sealed record WriteDatasetManifestInput(DatasetRunInput Run, IReadOnlyList<StepResult> Results);
