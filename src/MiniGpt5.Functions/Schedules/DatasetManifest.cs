using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// A run's <c>manifest.jsonl</c>: one JSON object per record, in record order, with everything needed to use or
/// reproduce it (prompt, seed, image path, settings, model), and the run's seed on every line so a line stands alone.
/// </summary>
public static class DatasetManifest
{
    /// <summary>The manifest's file name in the run folder.</summary>
    public const string FileName = "manifest.jsonl";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The manifest bytes for <paramref name="input"/>'s records and their results (matched by index).</summary>
    public static byte[] Write(DatasetRunInput input, IReadOnlyList<StepResult> results)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(results);
        var byIndex = results.ToDictionary(r => r.StepNumber);
        var text = new StringBuilder();
        foreach (var record in input.Records)
        {
            var result = byIndex.GetValueOrDefault(record.Index);
            var line = new DatasetManifestLine(
                input.Schedule,
                input.RunId,
                input.RunSeed,
                record.Index,
                record.Prompt,
                record.Seed,
                result?.Status == StepStatus.Succeeded ? result.ImagePath : null,
                result?.Status ?? StepStatus.Failed,
                result?.Settings,
                result?.ModelName,
                result?.ModelHash,
                result is null ? "no result was recorded." : result.Error);
            text.Append(JsonSerializer.Serialize(line, Json)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads a manifest back.</summary>
    public static IReadOnlyList<DatasetManifestLine> Read(ReadOnlySpan<byte> content)
    {
        var lines = new List<DatasetManifestLine>();
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            lines.Add(JsonSerializer.Deserialize<DatasetManifestLine>(line, Json)
                ?? throw new InvalidDataException($"{FileName}: a line holds null."));
        }

        return lines;
    }
}
