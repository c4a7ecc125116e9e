using System.Globalization;
using System.Text.Json;
using MiniGpt5.Text;

namespace MiniGpt5.Training.Data;

/// <summary>
/// MMDialog as the release's loader at HEAD reads it (MMDialogDataset): one JSON conversation per line,
/// <c>{"conversation_id", "conversation": [{"turn": [{"__TEXT__": …}, {"__MEDIA__": id}?]}, …]}</c>, images at
/// <c>&lt;folder of the file&gt;/&lt;id&gt;.jpg</c>. Every turn after the first becomes a sample whose prompt is the
/// system prompt, the kept history ("###Human: …" / "###Assistant: …" with image slots) and the speaker tag of the
/// turn; the target is the turn's text (plus vokens when it has an image) and " ###". A conversation stops at the
/// first empty turn, ".jpg" text, missing or known-bad image, or (training) a turn longer than 50 tokens.
/// </summary>
public static class MmDialogDataset
{
    /// <summary>Media ids the release skips.</summary>
    public static IReadOnlyList<string> BadImageIds { get; } = ["-3872362534310063124", "3713630103994725971"];

    /// <summary>Turns longer than this many LLaMA tokens end a conversation in training.</summary>
    public const int MaxTurnTokens = 50;

    /// <summary>Reads <paramref name="path"/>; <paramref name="tokenizer"/> (required in training) counts turn tokens.</summary>
    public static async Task<IReadOnlyList<MiniGpt5Example>> LoadAsync(
        string path, bool training, ITextTokenizer? tokenizer, CancellationToken cancellationToken = default)
    {
        if (training && tokenizer is null)
        {
            throw new ArgumentNullException(nameof(tokenizer), "MMDialog training data needs the LLaMA tokenizer to drop turns over 50 tokens.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        var examples = new List<MiniGpt5Example>();
        for (var lineIndex = 0; lineIndex < lines.Length; lineIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(lines[lineIndex]))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(lines[lineIndex]);
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException(path, string.Create(CultureInfo.InvariantCulture, $"line {lineIndex + 1} is not valid JSON: {e.Message}"), e);
            }

            using (document)
            {
                AddConversation(document.RootElement, path, lineIndex + 1, folder, training, tokenizer, examples);
            }
        }

        return examples;
    }

    private static void AddConversation(
        JsonElement root, string path, int line, string folder, bool training, ITextTokenizer? tokenizer, List<MiniGpt5Example> examples)
    {
        string Where(string what) => string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}");
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("conversation_id", out var idElement)
            || !root.TryGetProperty("conversation", out var conversation)
            || conversation.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetFormatException(path, Where("expected an object with 'conversation_id' and a 'conversation' list."));
        }

        var id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText();
        var turns = conversation.EnumerateArray().ToList();
        if (turns.Count < 2)
        {
            return;
        }

        // History items: "###Human: text", "###Assistant: text" and image paths (which become image slots).
        var history = new List<string>();
        var userTurnsSeen = 0;
        var removeFrom = 0;
        for (var i = 0; i < turns.Count; i++)
        {
            if (!turns[i].TryGetProperty("turn", out var turn) || turn.ValueKind != JsonValueKind.Array || turn.GetArrayLength() == 0
                || !turn[0].TryGetProperty("__TEXT__", out var textElement) || textElement.ValueKind != JsonValueKind.String)
            {
                throw new DatasetFormatException(path, Where($"turn {i} of conversation {id} has no '__TEXT__' first item."));
            }

            var text = textElement.GetString()!;
            if (text.Length == 0 || text.EndsWith(".jpg", StringComparison.Ordinal))
            {
                break;
            }

            if (training && tokenizer!.Encode(text).Length > MaxTurnTokens)
            {
                break;
            }

            string? image = null;
            if (turn.GetArrayLength() > 1)
            {
                if (!turn[1].TryGetProperty("__MEDIA__", out var media) || media.ValueKind != JsonValueKind.String)
                {
                    throw new DatasetFormatException(path, Where($"turn {i} of conversation {id} has a second item without a '__MEDIA__' id."));
                }

                var mediaId = media.GetString()!;
                image = Path.Combine(folder, mediaId + ".jpg");
                if (!File.Exists(image) || BadImageIds.Contains(mediaId))
                {
                    break;
                }
            }

            if (i > 0)
            {
                var source = new List<string> { PromptTemplates.MmDialogSystemPrompt };
                var inputs = new List<string?>();
                foreach (var item in history)
                {
                    if (item.EndsWith(".jpg", StringComparison.Ordinal))
                    {
                        inputs.Add(item);
                        source.Add(PromptTemplates.ImageSlot);
                    }
                    else
                    {
                        source.Add(item);
                    }
                }

                source.Add(i % 2 == 0 ? "###Human:" : "###Assistant:");
                var target = image is null ? $"{text} ###" : $"{text} {PromptTemplates.AllVokens} ###";
                examples.Add(new MiniGpt5Example(
                    string.Join(' ', source), target, inputs.Count > 0 ? inputs : [null], image, null,
                    string.Create(CultureInfo.InvariantCulture, $"{id}_{i}-mm")));
            }

            string entry;
            if (i % 2 == 0)
            {
                entry = $"###Human: {text}";
                userTurnsSeen++;
                if (userTurnsSeen == 2)
                {
                    removeFrom = history.Count;
                }
            }
            else
            {
                entry = $"###Assistant: {text}";
            }

            // Once the second user turn has been answered, the history restarts at that user turn.
            if (userTurnsSeen == 2 && i % 2 == 1)
            {
                history = history[removeFrom..];
                userTurnsSeen = 1;
                removeFrom = 0;
            }

            history.Add(entry);
            if (image is not null)
            {
                history.Add(image);
            }
        }
    }
}
