using System.Text.Json;
using System.Text.Json.Serialization;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// Reads schedule definitions (<c>*.json</c> in <c>MiniGpt5__SchedulesPath</c>). A bad file is reported with its
/// path and problem and never stops the others from loading.
/// </summary>
public static class DatasetScheduleLoader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every schedule in <paramref name="folder"/> (none when it does not exist), and an error line per bad file.</summary>
    public static async Task<(IReadOnlyList<DatasetSchedule> Schedules, IReadOnlyList<string> Errors)> LoadFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var schedules = new List<DatasetSchedule>();
        var errors = new List<string>();
        if (!Directory.Exists(folder))
        {
            return (schedules, errors);
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                schedules.Add(await LoadFileAsync(file, cancellationToken).ConfigureAwait(false));
            }
            catch (FormatException e)
            {
                errors.Add(e.Message);
            }
        }

        var duplicates = schedules.GroupBy(s => s.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var name in duplicates)
        {
            errors.Add($"Schedule name '{name}' is used by more than one file in '{folder}'; none of them runs.");
        }

        return (schedules.Where(s => !duplicates.Contains(s.Name)).ToList(), errors);
    }

    /// <summary>One schedule file; throws <see cref="FormatException"/> naming the file and the problem.</summary>
    public static async Task<DatasetSchedule> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates a schedule; <paramref name="source"/> names it in errors and gives the default name.</summary>
    public static DatasetSchedule Parse(ReadOnlySpan<byte> json, string source)
    {
        ScheduleFile file;
        try
        {
            file = JsonSerializer.Deserialize<ScheduleFile>(json, Json) ?? throw new FormatException($"{source}: the file holds null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }

        var name = (file.Name ?? Path.GetFileNameWithoutExtension(source)).Trim().ToLowerInvariant();
        if (name.Length is 0 or > 48 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || name[0] == '-' || name[^1] == '-')
        {
            throw new FormatException($"{source}: the schedule name '{name}' must be 1-48 lowercase letters, digits and inner hyphens.");
        }

        if (file.Cron is not null)
        {
            try
            {
                CronExpression.Parse(file.Cron);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }

        var prompts = (file.Prompts ?? []).Select(p => p?.Trim() ?? string.Empty).ToList();
        if (prompts.Count == 0 || prompts.Any(p => p.Length == 0))
        {
            throw new FormatException($"{source}: \"prompts\" must be a list of at least one non-empty text.");
        }

        if (file.Count is { } count && (count < 1 || count > DatasetSchedule.MaxCount))
        {
            throw new FormatException($"{source}: \"count\" must be from 1 to {DatasetSchedule.MaxCount}, got {count}.");
        }

        ManuscriptOptions? options;
        try
        {
            options = file.Options is { } element ? RequestOptions.FromJson(element, source) : null;
        }
        catch (ManuscriptException e)
        {
            throw new FormatException(e.Message, e);
        }

        return new DatasetSchedule(name, file.Cron, file.Seed ?? 0, prompts, file.Count, options, file.Enabled ?? true);
    }

    private sealed record ScheduleFile(string? Name, string? Cron, uint? Seed, List<string?>? Prompts, int? Count, JsonElement? Options, bool? Enabled);
}
