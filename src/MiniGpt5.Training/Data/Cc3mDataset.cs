using System.Globalization;
using System.Text;

namespace MiniGpt5.Training.Data;

/// <summary>
/// CC3M as the release reads it (CC3MDataset): a tab-separated file with a header naming the columns
/// <c>caption</c> and <c>image_path</c> (any order, extra columns ignored); image paths are relative to the data
/// folder. Every caption becomes "caption → [IMG0]…[IMG7] ###"; in training every 100th row (0, 100, ...) also gets
/// an instruction variant with the CC3M system prompt and a randomly chosen generation prompt.
/// </summary>
public static class Cc3mDataset
{
    /// <summary>Reads <paramref name="tsvPath"/>; image paths resolve against <paramref name="dataFolder"/>.</summary>
    /// <exception cref="DatasetFormatException">A missing column, an unterminated quote, an empty caption or path.</exception>
    public static async Task<IReadOnlyList<MiniGpt5Example>> LoadAsync(
        string tsvPath, string dataFolder, bool training, TemplateChooser templates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var lines = await File.ReadAllLinesAsync(tsvPath, cancellationToken).ConfigureAwait(false);
        var header = lines.Length == 0 ? null : SplitRow(lines[0], tsvPath, 1);
        var captionColumn = header is null ? -1 : Array.IndexOf(header, "caption");
        var pathColumn = header is null ? -1 : Array.IndexOf(header, "image_path");
        if (captionColumn < 0 || pathColumn < 0)
        {
            throw new DatasetFormatException(tsvPath, "the header must name the columns 'caption' and 'image_path' (tab-separated).");
        }

        var examples = new List<MiniGpt5Example>();
        var row = 0;
        for (var lineIndex = 1; lineIndex < lines.Length; lineIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lines[lineIndex].Length == 0)
            {
                // pandas skips blank lines.
                continue;
            }

            var fields = SplitRow(lines[lineIndex], tsvPath, lineIndex + 1);
            var rawCaption = captionColumn < fields.Length ? fields[captionColumn] : string.Empty;
            var imagePath = pathColumn < fields.Length ? fields[pathColumn] : string.Empty;
            if (rawCaption.Length == 0 || imagePath.Length == 0)
            {
                throw new DatasetFormatException(tsvPath, string.Create(CultureInfo.InvariantCulture, $"line {lineIndex + 1} has an empty caption or image_path."));
            }

            var caption = CaptionPreprocessor.Preprocess(rawCaption);
            var image = Path.Combine(dataFolder, imagePath);
            examples.Add(new MiniGpt5Example(caption, $"{PromptTemplates.AllVokens} ###", [null], image, caption, $"cc3m_{row}"));
            if (training && row % 100 == 0)
            {
                var source = PromptTemplates.Cc3mSystemPrompt + $"###Human: {templates.Choose(PromptTemplates.Cc3mGenerationPrompts)} {caption} ###Assistant:";
                examples.Add(new MiniGpt5Example(source, $"{PromptTemplates.AllVokens} ###", [null], image, caption, $"cc3m_{row}_instruction"));
            }

            row++;
        }

        return examples;
    }

    /// <summary>Splits one row on tabs; a field that starts with a double quote is quoted (pandas' default dialect).</summary>
    internal static string[] SplitRow(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new DatasetFormatException(path, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber} has an unterminated quoted field."));
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            value.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(line[i++]);
                }

                // Text after the closing quote belongs to the field, as in the csv module.
                var tab = line.IndexOf('\t', i);
                value.Append(line, i, (tab < 0 ? line.Length : tab) - i);
                fields.Add(value.ToString());
                if (tab < 0)
                {
                    break;
                }

                i = tab + 1;
            }
            else
            {
                var tab = line.IndexOf('\t', i);
                fields.Add(line[i..(tab < 0 ? line.Length : tab)]);
                if (tab < 0)
                {
                    break;
                }

                i = tab + 1;
            }
        }

        return fields.ToArray();
    }
}
