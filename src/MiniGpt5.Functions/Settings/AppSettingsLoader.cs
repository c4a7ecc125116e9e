using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace MiniGpt5.Functions.Settings;

/// <summary>
/// Builds <see cref="MiniGpt5Settings"/> the way Azure Functions does: <c>local.settings.json</c>'s <c>Values</c>
/// (when the file exists), then environment variables, which win (<c>MiniGpt5__TaskHub</c> is the configuration
/// key <c>MiniGpt5:TaskHub</c>). Invalid values throw <see cref="SettingsException"/> naming the setting.
/// </summary>
public static class AppSettingsLoader
{
    /// <summary>The configuration section of the app's settings.</summary>
    public const string Section = "MiniGpt5";

    /// <summary>The storage setting's name.</summary>
    public const string StorageKey = "AzureWebJobsStorage";

    /// <summary>
    /// Configuration from <paramref name="localSettingsPath"/> (default <c>local.settings.json</c> in the current
    /// directory; a missing file is fine), then the environment.
    /// </summary>
    public static IConfigurationRoot BuildConfiguration(string? localSettingsPath = null)
    {
        var builder = new ConfigurationBuilder();
        var path = localSettingsPath ?? Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json");
        if (File.Exists(path))
        {
            builder.AddInMemoryCollection(ReadLocalSettingsValues(path));
        }
        else if (localSettingsPath is not null)
        {
            throw new SettingsException($"The settings file '{localSettingsPath}' does not exist.");
        }

        builder.AddEnvironmentVariables();
        return builder.Build();
    }

    /// <summary>The <c>Values</c> of a <c>local.settings.json</c> file as configuration keys (<c>__</c> becomes <c>:</c>).</summary>
    public static Dictionary<string, string?> ReadLocalSettingsValues(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Values", out var valuesElement))
            {
                return values;
            }

            if (valuesElement.ValueKind != JsonValueKind.Object)
            {
                throw new SettingsException($"'{path}': \"Values\" must be an object of setting names to strings.");
            }

            foreach (var property in valuesElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new SettingsException($"'{path}': setting '{property.Name}' must be a string, number or boolean."),
                };
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] = value;
            }

            return values;
        }
        catch (JsonException e)
        {
            throw new SettingsException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads and validates the settings from <paramref name="configuration"/>.</summary>
    public static MiniGpt5Settings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var defaults = new MiniGpt5Settings();
        var settings = new MiniGpt5Settings
        {
            Storage = NonEmpty(configuration[StorageKey]) ?? IdentityConnectionString(configuration.GetSection(StorageKey)) ?? defaults.Storage,
            TaskHub = NonEmpty(section["TaskHub"])?.ToLowerInvariant() ?? defaults.TaskHub,
            PartitionCount = Int(section, "PartitionCount", 1, 16) ?? defaults.PartitionCount,
            Model = NonEmpty(section["Model"]) ?? defaults.Model,
            Device = Device(section["Device"]) ?? defaults.Device,
            TaskQueues = NonEmpty(section["TaskQueues"]) is { } queues ? ParseTaskQueues(queues) : defaults.TaskQueues,
            MaxConcurrentOrchestrations = Int(section, "MaxConcurrentOrchestrations", 1, 1024) ?? defaults.MaxConcurrentOrchestrations,
            MaxConcurrentActivities = Int(section, "MaxConcurrentActivities", 1, 1024) ?? defaults.MaxConcurrentActivities,
            MaxConcurrentGpuActivities = Int(section, "MaxConcurrentGpuActivities", 1, 64) ?? defaults.MaxConcurrentGpuActivities,
            MaxManuscriptBytes = Long(section, "MaxManuscriptBytes", 1, 64L * 1024 * 1024) ?? defaults.MaxManuscriptBytes,
            ApiKeys = List(section["ApiKeys"]) ?? defaults.ApiKeys,
            SchedulesPath = NonEmpty(section["SchedulesPath"]) ?? defaults.SchedulesPath,
            ScheduleCron = NonEmpty(section["ScheduleCron"]),
            ModelBlobUri = Uri(section, "ModelBlobUri"),
            ModelSha256 = Sha256(section["ModelSha256"]),
            ModelCacheDir = NonEmpty(section["ModelCacheDir"]),
            WorkerExitWhenIdleSeconds = Int(section, "WorkerExitWhenIdleSeconds", 1, int.MaxValue),
            ActivityVisibilityTimeoutSeconds = Double(section, "ActivityVisibilityTimeoutSeconds", 5, 3600) ?? defaults.ActivityVisibilityTimeoutSeconds,
            IngestionPollSeconds = Double(section, "IngestionPollSeconds", 0.05, 3600) ?? defaults.IngestionPollSeconds,
            BatchConcurrency = Int(section, "BatchConcurrency", 1, 1000) ?? defaults.BatchConcurrency,
            BatchToleratedFailures = Int(section, "BatchToleratedFailures", 0, int.MaxValue),
            StepMaxAttempts = Int(section, "StepMaxAttempts", 1, 20) ?? defaults.StepMaxAttempts,
            StepRetrySeconds = Double(section, "StepRetrySeconds", 0.001, 3600) ?? defaults.StepRetrySeconds,
        };
        return settings;
    }

    /// <summary>A comma-separated list of task queue names (<c>default,gpu</c>), checked.</summary>
    public static IReadOnlyList<string> ParseTaskQueues(string value)
    {
        var queues = List(value) ?? [];
        if (queues.Length == 0)
        {
            throw new SettingsException($"{Section}__TaskQueues is empty; name at least one queue (default, gpu).");
        }

        foreach (var queue in queues)
        {
            if (!queue.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                throw new SettingsException($"{Section}__TaskQueues: '{queue}' is not a task queue name (lowercase letters, digits, hyphens; for example default,gpu).");
            }
        }

        return queues.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Identity-based storage, the Functions way (<c>AzureWebJobsStorage__accountName</c>, <c>__blobServiceUri</c>,
    /// <c>__queueServiceUri</c>, <c>__credential</c>, <c>__clientId</c>), as an Entra ID connection string; null
    /// when none of them is set.
    /// </summary>
    internal static string? IdentityConnectionString(IConfigurationSection section)
    {
        var account = NonEmpty(section["accountName"]);
        var blob = NonEmpty(section["blobServiceUri"]);
        var queue = NonEmpty(section["queueServiceUri"]);
        if (account is null && blob is null && queue is null)
        {
            return null;
        }

        if (account is null && blob is not null && System.Uri.TryCreate(blob, UriKind.Absolute, out var blobUri))
        {
            account = blobUri.Host.Split('.')[0];
        }

        if (account is null)
        {
            throw new SettingsException($"{StorageKey}__accountName (or {StorageKey}__blobServiceUri) is needed for identity-based storage.");
        }

        var parts = new List<string> { "AccountName=" + account };
        if (blob is not null)
        {
            parts.Add("BlobEndpoint=" + blob);
        }

        if (queue is not null)
        {
            parts.Add("QueueEndpoint=" + queue);
        }

        var credential = NonEmpty(section["credential"]);
        if (credential is not null)
        {
            if (!string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
            {
                throw new SettingsException($"{StorageKey}__credential is '{credential}'; the only supported value is managedidentity.");
            }

            parts.Add("Credential=managedidentity");
        }

        if ((NonEmpty(section["clientId"]) ?? NonEmpty(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"))) is { } clientId)
        {
            parts.Add("ClientId=" + clientId);
        }

        return string.Join(';', parts);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Device(string? value)
    {
        var device = NonEmpty(value)?.ToLowerInvariant();
        return device is null or "cpu" or "cuda" ? device
            : throw new SettingsException($"{Section}__Device is '{value}'; use cpu or cuda.");
    }

    private static string[]? List(string? value) =>
        NonEmpty(value)?.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int? Int(IConfigurationSection section, string key, int min, int max)
    {
        var value = Long(section, key, min, max);
        return value is null ? null : (int)value.Value;
    }

    private static long? Long(IConfigurationSection section, string key, long min, long max)
    {
        var text = NonEmpty(section[key]);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingsException($"{Section}__{key} is '{text}'; use a whole number from {min} to {max}.");
    }

    private static double? Double(IConfigurationSection section, string key, double min, double max)
    {
        var text = NonEmpty(section[key]);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingsException($"{Section}__{key} is '{text}'; use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static Uri? Uri(IConfigurationSection section, string key)
    {
        var text = NonEmpty(section[key]);
        if (text is null)
        {
            return null;
        }

        return System.Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new SettingsException($"{Section}__{key} is not an absolute http(s) URI.");
    }

    private static string? Sha256(string? value)
    {
        var text = NonEmpty(value)?.ToLowerInvariant();
        return text is null || (text.Length == 64 && text.All(char.IsAsciiHexDigitLower)) ? text
            : throw new SettingsException($"{Section}__ModelSha256 must be 64 hexadecimal digits (the SHA-256 of the model's manifest.sha256).");
    }
}
