using System.Globalization;
using System.Text.Json;

namespace MiniGpt5.Models.StableDiffusion;

/// <summary>
/// A component's config.json (diffusers' <c>ConfigMixin</c> / transformers' <c>PretrainedConfig</c> file), read with
/// typed getters whose errors name the file and the field. A field that is absent or null takes the default the
/// Python class's constructor would use, when there is one; diffusers configs written by older versions simply lack
/// newer fields.
/// </summary>
public sealed class DiffusersConfig
{
    private readonly JsonElement _root;

    private DiffusersConfig(string source, JsonElement root)
    {
        Source = source;
        _root = root;
    }

    /// <summary>The file the config came from (or a description of where it came from).</summary>
    public string Source { get; }

    /// <summary>Reads and parses a config file.</summary>
    /// <exception cref="StableDiffusionModelException">The file is missing or is not a JSON object.</exception>
    public static DiffusersConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new StableDiffusionModelException(path, null, "the config file does not exist.");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON; <paramref name="source"/> names it in errors.</summary>
    public static DiffusersConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new StableDiffusionModelException(source, null, $"expected a JSON object, found {document.RootElement.ValueKind}.");
            }

            return new DiffusersConfig(source, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new StableDiffusionModelException(source, null, $"is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>True when the field is present and not null.</summary>
    public bool Has(string field) => _root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>True when the field is present, even as null.</summary>
    public bool IsPresent(string field) => _root.TryGetProperty(field, out _);

    /// <summary>diffusers' <c>_class_name</c> (or the first of transformers' <c>architectures</c>), if any.</summary>
    public string? ClassName =>
        Has("_class_name") ? GetString("_class_name") :
        _root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0 ? a[0].GetString() : null;

    /// <summary>An integer field, or <paramref name="defaultValue"/> when absent (required when no default is given).</summary>
    public int GetInt(string field, int? defaultValue = null) =>
        TryGet(field, out var value) ? ReadInt(field, value) : defaultValue ?? throw Missing(field);

    /// <summary>A number field.</summary>
    public double GetDouble(string field, double? defaultValue = null)
    {
        if (!TryGet(field, out var value))
        {
            return defaultValue ?? throw Missing(field);
        }

        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw Wrong(field, value, "a number");
    }

    /// <summary>A boolean field.</summary>
    public bool GetBool(string field, bool? defaultValue = null)
    {
        if (!TryGet(field, out var value))
        {
            return defaultValue ?? throw Missing(field);
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(field, value, "true or false"),
        };
    }

    /// <summary>A string field.</summary>
    public string GetString(string field, string? defaultValue = null)
    {
        if (!TryGet(field, out var value))
        {
            return defaultValue ?? throw Missing(field);
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(field, value, "a string");
    }

    /// <summary>A string field that may be absent or null.</summary>
    public string? GetOptionalString(string field) => Has(field) ? GetString(field) : null;

    /// <summary>An array of strings.</summary>
    public string[] GetStringArray(string field)
    {
        var array = GetArray(field);
        return array.Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Wrong($"{field}[{i}]", e, "a string")).ToArray();
    }

    /// <summary>An array of integers.</summary>
    public int[] GetIntArray(string field)
    {
        var array = GetArray(field);
        return array.Select((e, i) => ReadInt($"{field}[{i}]", e)).ToArray();
    }

    /// <summary>An optional array of numbers (e.g. trained_betas).</summary>
    public double[]? GetOptionalDoubleArray(string field)
    {
        if (!Has(field))
        {
            return null;
        }

        return GetArray(field).Select((e, i) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Wrong($"{field}[{i}]", e, "a number")).ToArray();
    }

    /// <summary>
    /// A per-level integer: a single number applies to every level (diffusers' <c>(x,) * len(down_block_types)</c>), an
    /// array must have one entry per level.
    /// </summary>
    public int[] GetIntPerLevel(string field, int levels, int? defaultValue = null)
    {
        if (!TryGet(field, out var value))
        {
            return Enumerable.Repeat(defaultValue ?? throw Missing(field), levels).ToArray();
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var values = GetIntArray(field);
            return values.Length == levels
                ? values
                : throw new StableDiffusionModelException(Source, field, $"has {values.Length} entries; expected one per level ({levels}).");
        }

        return Enumerable.Repeat(ReadInt(field, value), levels).ToArray();
    }

    /// <summary>A per-level boolean (a single value or one per level).</summary>
    public bool[] GetBoolPerLevel(string field, int levels, bool defaultValue)
    {
        if (!TryGet(field, out var value))
        {
            return Enumerable.Repeat(defaultValue, levels).ToArray();
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var values = GetArray(field).Select((e, i) => e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong($"{field}[{i}]", e, "true or false"),
            }).ToArray();
            return values.Length == levels
                ? values
                : throw new StableDiffusionModelException(Source, field, $"has {values.Length} entries; expected one per level ({levels}).");
        }

        return Enumerable.Repeat(GetBool(field), levels).ToArray();
    }

    /// <summary>Whether a field holds an array (rather than a single value).</summary>
    public bool IsArray(string field) => _root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Array;

    /// <summary>Fails with a message naming the field when it is present with a value other than the one we support.</summary>
    public void RequireAbsentOr<T>(string field, T supported, Func<string, T> read, string why)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (Has(field) && !EqualityComparer<T>.Default.Equals(read(field), supported))
        {
            throw new StableDiffusionModelException(Source, field, $"{Describe(field)} is not supported: {why}");
        }
    }

    /// <summary>Fails when a field that we do not support is set to anything but null.</summary>
    public void RequireNull(string field, string why)
    {
        if (Has(field))
        {
            throw new StableDiffusionModelException(Source, field, $"{Describe(field)} is not supported: {why}");
        }
    }

    /// <summary>An error about a field's value (for checks the typed getters cannot make).</summary>
    public StableDiffusionModelException Invalid(string field, string message) => new(Source, field, message);

    private string Describe(string field) => _root.TryGetProperty(field, out var value) ? value.GetRawText() : "(absent)";

    private bool TryGet(string field, out JsonElement value) =>
        _root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;

    private JsonElement[] GetArray(string field)
    {
        if (!TryGet(field, out var value))
        {
            throw Missing(field);
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : throw Wrong(field, value, "an array");
    }

    private int ReadInt(string field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i))
        {
            return i;
        }

        // Configs written from Python floats ("mid_block_scale_factor": 1.0) are fine when whole.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
        {
            return (int)d;
        }

        throw Wrong(field, value, "an integer");
    }

    private StableDiffusionModelException Missing(string field) => new(Source, field, "is missing and has no default.");

    private StableDiffusionModelException Wrong(string field, JsonElement value, string expected) =>
        new(Source, field, string.Create(CultureInfo.InvariantCulture, $"expected {expected}, found {value.GetRawText()}."));
}
