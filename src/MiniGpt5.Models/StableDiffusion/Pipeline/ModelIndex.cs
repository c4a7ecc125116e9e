using System.Text.Json;

namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>
/// A diffusers pipeline folder's model_index.json: the pipeline class and, per component, the library and class
/// (<c>"unet": ["diffusers", "UNet2DConditionModel"]</c>; <c>[null, null]</c> for an absent optional component).
/// </summary>
public sealed class ModelIndex
{
    private readonly Dictionary<string, (string? Library, string? ClassName)> _components;

    private ModelIndex(string path, string? className, Dictionary<string, (string?, string?)> components)
    {
        Path = path;
        ClassName = className;
        _components = components;
    }

    /// <summary>The model_index.json path.</summary>
    public string Path { get; }

    /// <summary>The pipeline class ("StableDiffusionPipeline").</summary>
    public string? ClassName { get; }

    /// <summary>Reads <paramref name="folder"/>/model_index.json.</summary>
    /// <exception cref="StableDiffusionModelException">The folder or file is missing or malformed.</exception>
    public static ModelIndex Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new StableDiffusionModelException(folder, null, "the model folder does not exist.");
        }

        var path = System.IO.Path.Combine(folder, "model_index.json");
        if (!File.Exists(path))
        {
            throw new StableDiffusionModelException(folder, null,
                "is not a diffusers pipeline folder: model_index.json is missing (expected model_index.json beside unet/, vae/, text_encoder/, tokenizer/ and scheduler/).");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StableDiffusionModelException(path, null, "expected a JSON object.");
            }

            var components = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
            string? className = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "_class_name" && property.Value.ValueKind == JsonValueKind.String)
                {
                    className = property.Value.GetString();
                }
                else if (!property.Name.StartsWith('_') && property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() == 2)
                {
                    components[property.Name] = (AsString(property.Value[0]), AsString(property.Value[1]));
                }
            }

            return new ModelIndex(path, className, components);
        }
        catch (JsonException e)
        {
            throw new StableDiffusionModelException(path, null, $"is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>The (library, class) of a component, or null when the index does not list it or lists it as [null, null].</summary>
    public (string? Library, string? ClassName)? Component(string name) =>
        _components.TryGetValue(name, out var entry) && entry.ClassName is not null ? entry : null;

    /// <summary>Checks that <paramref name="name"/> is listed with one of <paramref name="classes"/>.</summary>
    public void Require(string name, params string[] classes)
    {
        var entry = Component(name) ?? throw new StableDiffusionModelException(Path, name,
            "is missing or null; a Stable Diffusion pipeline needs unet, vae, text_encoder, tokenizer and scheduler.");
        if (classes.Length > 0 && !classes.Contains(entry.ClassName, StringComparer.Ordinal))
        {
            throw new StableDiffusionModelException(Path, name, $"names class '{entry.ClassName}'; expected {string.Join(" or ", classes)}.");
        }
    }

    private static string? AsString(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
}
