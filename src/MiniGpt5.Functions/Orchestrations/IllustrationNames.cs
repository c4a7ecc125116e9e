namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// The registered names of the app's orchestrators, activities, task queues and review events. They are part of
/// every instance's history and of the HTTP API, so they never change once released.
/// </summary>
public static class IllustrationNames
{
    /// <summary>Orchestrator: one manuscript → plan → steps on the gpu queue → book.</summary>
    public const string IllustrateManuscript = "IllustrateManuscript";

    /// <summary>Orchestrator: a batch file → one <see cref="IllustrateManuscript"/> sub-orchestration per manuscript.</summary>
    public const string IllustrateBatch = "IllustrateBatch";

    /// <summary>Orchestrator: one scheduled dataset-generation run.</summary>
    public const string GenerateDataset = "GenerateDataset";

    /// <summary>Activity (default queue): reads the manuscript source and returns its plan.</summary>
    public const string PlanManuscript = "PlanManuscript";

    /// <summary>Activity (gpu queue): illustrates one step, writing <c>steps/NNN.png</c> and <c>steps/NNN.json</c> create-only.</summary>
    public const string IllustrateStep = "IllustrateStep";

    /// <summary>Activity (default queue): writes index.html, book.md, book.epub and manifest.json.</summary>
    public const string AssembleBook = "AssembleBook";

    /// <summary>Activity (default queue): writes a dataset run's <c>manifest.jsonl</c>.</summary>
    public const string WriteDatasetManifest = "WriteDatasetManifest";

    /// <summary>The task queue orchestration-side activities use.</summary>
    public const string DefaultQueue = "default";

    /// <summary>The task queue model activities use; only GPU (or model-holding) workers listen on it.</summary>
    public const string GpuQueue = "gpu";

    /// <summary>Review-gate event: assemble the book as it is.</summary>
    public const string ApproveEvent = "approve";

    /// <summary>Review-gate event prefix: <c>regenerate:{step}</c> paints step <c>{step}</c> again with a new seed.</summary>
    public const string RegenerateEventPrefix = "regenerate:";

    /// <summary>The event name that asks for step <paramref name="stepNumber"/> to be painted again.</summary>
    public static string RegenerateEvent(int stepNumber) =>
        RegenerateEventPrefix + stepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
