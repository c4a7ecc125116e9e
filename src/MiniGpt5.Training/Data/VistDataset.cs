using System.Text.Json;

namespace MiniGpt5.Training.Data;

/// <summary>
/// VIST as the release reads it (VISTDataset): <c>{story_id: [{caption, image_id, sequence_index}, ...]}</c> plus the
/// image mapping <c>{image_id: relative path}</c> in the file named with "image_mapping" for "cleaned". For every
/// step: an image-generation sample; in training, from the second step on, also a text+image sample and an
/// understanding sample. The prompt is the previous captions joined by image slots.
/// </summary>
public static class VistDataset
{
    /// <summary>The mapping file next to <paramref name="storiesPath"/> (e.g. val_cleaned.json → val_image_mapping.json).</summary>
    public static string MappingPath(string storiesPath)
    {
        var name = Path.GetFileName(storiesPath);
        if (!name.Contains("cleaned", StringComparison.Ordinal))
        {
            throw new DatasetFormatException(storiesPath, "a VIST story file's name must contain 'cleaned' (its image mapping replaces that word with 'image_mapping').");
        }

        return Path.Combine(Path.GetDirectoryName(storiesPath) ?? ".", name.Replace("cleaned", "image_mapping", StringComparison.Ordinal));
    }

    /// <summary>Reads the stories and their image mapping; image paths resolve against <paramref name="dataFolder"/>.</summary>
    public static async Task<IReadOnlyList<MiniGpt5Example>> LoadAsync(
        string storiesPath, string dataFolder, bool training, TemplateChooser templates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var mappingPath = MappingPath(storiesPath);
        using var stories = await ParseAsync(storiesPath, cancellationToken).ConfigureAwait(false);
        using var mappingDocument = await ParseAsync(mappingPath, cancellationToken).ConfigureAwait(false);
        if (stories.RootElement.ValueKind != JsonValueKind.Object || mappingDocument.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new DatasetFormatException(storiesPath, "the stories and the image mapping must both be JSON objects.");
        }

        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in mappingDocument.RootElement.EnumerateObject())
        {
            mapping[entry.Name] = entry.Value.GetString() ?? throw new DatasetFormatException(mappingPath, $"image '{entry.Name}' maps to null.");
        }

        var examples = new List<MiniGpt5Example>();
        foreach (var story in stories.RootElement.EnumerateObject())
        {
            if (story.Value.ValueKind != JsonValueKind.Array)
            {
                throw new DatasetFormatException(storiesPath, $"story '{story.Name}' is not a list of steps.");
            }

            var previousCaptions = new List<string>();
            var previousImages = new List<string>();
            foreach (var step in story.Value.EnumerateArray())
            {
                var text = RequireString(step, "caption", storiesPath, story.Name);
                var imageId = RequireScalar(step, "image_id", storiesPath, story.Name);
                var sequenceIndex = RequireScalar(step, "sequence_index", storiesPath, story.Name);
                if (!mapping.TryGetValue(imageId, out var relative))
                {
                    throw new DatasetFormatException(mappingPath, $"has no entry for image '{imageId}' of story '{story.Name}'.");
                }

                var image = Path.Combine(dataFolder, relative);
                var prompt = string.Join(PromptTemplates.ImageSlot, previousCaptions);
                if (previousCaptions.Count > 0)
                {
                    prompt = $"{prompt}{PromptTemplates.ImageSlot}\n";
                }

                var stepName = $"{story.Name}_{sequenceIndex}";
                var history = previousImages.Cast<string?>().ToList();
                var generation = PromptTemplates.VistSystemPrompt + string.Format(System.Globalization.CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistGeneration), prompt, text);
                examples.Add(new MiniGpt5Example(generation, $"{PromptTemplates.AllVokens} ###", history.Count > 0 ? history : [null], image, null, stepName + "-gen"));
                if (previousCaptions.Count > 0 && training)
                {
                    var multimodal = PromptTemplates.VistSystemPrompt + string.Format(System.Globalization.CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistMultimodal), prompt);
                    examples.Add(new MiniGpt5Example(multimodal, $"{text} {PromptTemplates.AllVokens} ###", history, image, null, stepName + "-multimodal"));
                    var understanding = PromptTemplates.VistSystemPrompt + string.Format(System.Globalization.CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistUnderstanding), prompt);
                    examples.Add(new MiniGpt5Example(understanding, $"{text} ###", [.. history, image], null, null, stepName + "-understanding"));
                }

                previousCaptions.Add(text);
                previousImages.Add(image);
            }
        }

        return examples;
    }

    private static async Task<JsonDocument> ParseAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException(path, $"is not valid JSON: {e.Message}", e);
        }
    }

    private static string RequireString(JsonElement step, string key, string path, string story) =>
        step.ValueKind == JsonValueKind.Object && step.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new DatasetFormatException(path, $"a step of story '{story}' has no string '{key}'.");

    private static string RequireScalar(JsonElement step, string key, string path, string story) =>
        step.ValueKind == JsonValueKind.Object && step.TryGetProperty(key, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number => value.GetRawText(),
                _ => throw new DatasetFormatException(path, $"'{key}' of a step of story '{story}' is neither a string nor a number."),
            }
            : throw new DatasetFormatException(path, $"a step of story '{story}' has no '{key}'.");
}
