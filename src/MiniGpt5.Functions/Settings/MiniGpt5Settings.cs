namespace MiniGpt5.Functions.Settings;

/// <summary>
/// The app's settings: <c>AzureWebJobsStorage</c> and the <c>MiniGpt5__*</c> values of
/// <c>local.settings.json</c> or the environment (see <c>local.settings.sample.json</c> and infra/README.md).
/// Built by <see cref="AppSettingsLoader"/>; every field has the documented default.
/// </summary>
public sealed record MiniGpt5Settings
{
    /// <summary><c>AzureWebJobsStorage</c>: <c>local</c>, <c>local:&lt;dir&gt;</c> or a connection string.</summary>
    public string Storage { get; init; } = "local";

    /// <summary><c>MiniGpt5__TaskHub</c>: task hub name (prefixes queues and hub containers).</summary>
    public string TaskHub { get; init; } = "minigpt5";

    /// <summary><c>MiniGpt5__PartitionCount</c>: control-queue partitions, 1-16.</summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary><c>MiniGpt5__Model</c>: <c>nano</c> or a model folder.</summary>
    public string Model { get; init; } = "nano";

    /// <summary><c>MiniGpt5__Device</c>: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary><c>MiniGpt5__TaskQueues</c>: activity queues this process serves.</summary>
    public IReadOnlyList<string> TaskQueues { get; init; } = ["default", "gpu"];

    /// <summary><c>MiniGpt5__MaxConcurrentOrchestrations</c>: orchestration episodes at once.</summary>
    public int MaxConcurrentOrchestrations { get; init; } = 16;

    /// <summary><c>MiniGpt5__MaxConcurrentActivities</c>: activities at once on the non-GPU queues.</summary>
    public int MaxConcurrentActivities { get; init; } = 4;

    /// <summary><c>MiniGpt5__MaxConcurrentGpuActivities</c>: activities at once on the gpu queue (one model, one at a time).</summary>
    public int MaxConcurrentGpuActivities { get; init; } = 1;

    /// <summary><c>MiniGpt5__MaxManuscriptBytes</c>: the largest manuscript (or batch line) accepted.</summary>
    public long MaxManuscriptBytes { get; init; } = 1024 * 1024;

    /// <summary><c>MiniGpt5__ApiKeys</c>: keys the HTTP API accepts in <c>x-api-key</c> (never logged).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary><c>MiniGpt5__SchedulesPath</c>: folder of <c>*.json</c> schedule definitions.</summary>
    public string SchedulesPath { get; init; } = "schedules";

    /// <summary><c>MiniGpt5__ScheduleCron</c>: a cron expression that runs the default dataset schedule, or null.</summary>
    public string? ScheduleCron { get; init; }

    /// <summary><c>MiniGpt5__ModelBlobUri</c>: download the model folder from here before taking work.</summary>
    public Uri? ModelBlobUri { get; init; }

    /// <summary><c>MiniGpt5__ModelSha256</c>: SHA-256 of the model folder's <c>manifest.sha256</c>.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary><c>MiniGpt5__ModelCacheDir</c>: where downloaded models are cached.</summary>
    public string? ModelCacheDir { get; init; }

    /// <summary><c>MiniGpt5__WorkerExitWhenIdleSeconds</c>: a worker exits 0 after this long without work; null runs until stopped.</summary>
    public int? WorkerExitWhenIdleSeconds { get; init; }

    /// <summary>
    /// <c>MiniGpt5__ActivityVisibilityTimeoutSeconds</c>: how long a taken step stays hidden from other workers before
    /// it is handed out again; a live worker renews it, so this is how soon a crashed worker's step is redone.
    /// </summary>
    public double ActivityVisibilityTimeoutSeconds { get; init; } = 120;

    /// <summary><c>MiniGpt5__IngestionPollSeconds</c>: how often the <c>manuscripts</c> container is scanned for new uploads.</summary>
    public double IngestionPollSeconds { get; init; } = 10;

    /// <summary><c>MiniGpt5__BatchConcurrency</c>: manuscripts of one batch illustrated at once.</summary>
    public int BatchConcurrency { get; init; } = 4;

    /// <summary><c>MiniGpt5__BatchToleratedFailures</c>: failed manuscripts a batch tolerates before it fails; null tolerates any.</summary>
    public int? BatchToleratedFailures { get; init; }

    /// <summary><c>MiniGpt5__StepMaxAttempts</c>: attempts per step (the first included) before it counts as failed.</summary>
    public int StepMaxAttempts { get; init; } = 3;

    /// <summary><c>MiniGpt5__StepRetrySeconds</c>: delay before the second attempt; doubles each retry.</summary>
    public double StepRetrySeconds { get; init; } = 5;

    /// <summary>True when this process serves the gpu queue (it needs the model).</summary>
    public bool ServesGpuQueue => TaskQueues.Contains("gpu", StringComparer.Ordinal);
}
