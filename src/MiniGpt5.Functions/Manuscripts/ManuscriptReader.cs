using System.Globalization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Reads manuscripts from bytes or files: checks the bytes (size, binary, encoding), detects the format, parses,
/// and checks the result (at least one step, not too many). A file may hold several manuscripts (JSON Lines,
/// VIST story maps); <see cref="Read"/> returns one result per manuscript, and a bad one never fails the others.
/// Everything here is pure: no storage, no clock, no randomness, so reading the same bytes under the same name
/// always gives the same manuscripts.
/// </summary>
public sealed class ManuscriptReader
{
    /// <summary>Creates a reader with <paramref name="settings"/> (or the defaults).</summary>
    public ManuscriptReader(ManuscriptReaderSettings? settings = null) => Settings = settings ?? ManuscriptReaderSettings.Default;

    /// <summary>The limits in force.</summary>
    public ManuscriptReaderSettings Settings { get; }

    /// <summary>
    /// Reads every manuscript in <paramref name="content"/>. <paramref name="sourceName"/> is the file or blob name
    /// (its extension picks the format unless <paramref name="format"/> is given). Never throws for bad input: a
    /// file that cannot be read at all gives one failed result.
    /// </summary>
    public IReadOnlyList<ManuscriptReadResult> Read(string sourceName, ReadOnlySpan<byte> content, ManuscriptFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        var origin = ManuscriptOrigin.ForFile(sourceName);
        List<ManuscriptReadResult> results;
        try
        {
            format ??= ManuscriptFormatDetector.FromName(sourceName);
            var limit = format is ManuscriptFormat.Markdown or ManuscriptFormat.PlainText ? Settings.MaxManuscriptBytes : Settings.MaxBatchBytes;
            var text = ManuscriptText.Decode(content, sourceName, limit);
            format ??= ManuscriptFormatDetector.FromContent(text);
            if (format is ManuscriptFormat.Markdown or ManuscriptFormat.PlainText && content.Length > Settings.MaxManuscriptBytes)
            {
                throw new ManuscriptException(new ManuscriptError(sourceName,
                    $"is {ManuscriptText.FormatSize(content.Length)}, over the {ManuscriptText.FormatSize(Settings.MaxManuscriptBytes)} limit for one manuscript."));
            }

            results = format switch
            {
                ManuscriptFormat.StoryJson => StoryJsonManuscriptParser.ParseDocument(text, origin, this),
                ManuscriptFormat.JsonLines => JsonLinesBatchParser.Parse(text, origin, this),
                _ => [ManuscriptReadResult.Ok(ParseText(text, format.Value, origin, []))],
            };
        }
        catch (ManuscriptException e)
        {
            return [ManuscriptReadResult.Failed(e.Error, null)];
        }

        if (results.Count > Settings.MaxManuscriptsPerBatch)
        {
            var kept = results.Take(Settings.MaxManuscriptsPerBatch).ToList();
            kept.AddRange(results.Skip(Settings.MaxManuscriptsPerBatch).Select(r => ManuscriptReadResult.Failed(
                new ManuscriptError(r.Source, string.Create(CultureInfo.InvariantCulture,
                    $"the file already holds {Settings.MaxManuscriptsPerBatch} manuscripts, the most one file may hold; split the file.")),
                r.ItemKey)));
            results = kept;
        }

        return results;
    }

    /// <summary>
    /// Reads a file that must hold exactly one manuscript; throws <see cref="ManuscriptException"/> when it cannot
    /// be read or holds several (use <see cref="Read"/> for batches).
    /// </summary>
    public Manuscript ReadOne(string sourceName, ReadOnlySpan<byte> content, ManuscriptFormat? format = null)
    {
        var results = Read(sourceName, content, format);
        if (results.Count != 1)
        {
            throw new ManuscriptException(new ManuscriptError(sourceName, string.Create(CultureInfo.InvariantCulture,
                $"holds {results.Count} manuscripts; read it as a batch.")));
        }

        return results[0].Succeeded ? results[0].Manuscript! : throw new ManuscriptException(results[0].Error!);
    }

    /// <summary>
    /// Reads a local file; a file over the batch size limit fails without being read. The source name is the
    /// file name (not the full path), so the manuscript id does not depend on where the file sits.
    /// </summary>
    public async Task<IReadOnlyList<ManuscriptReadResult>> ReadFileAsync(string path, ManuscriptFormat? format = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var name = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return [ManuscriptReadResult.Failed(new ManuscriptError(path, "the file does not exist."), null)];
        }

        if (info.Length > Settings.MaxBatchBytes)
        {
            return [ManuscriptReadResult.Failed(new ManuscriptError(name,
                $"is {ManuscriptText.FormatSize(info.Length)}, over the {ManuscriptText.FormatSize(Settings.MaxBatchBytes)} limit for a file."), null)];
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Read(name, bytes, format);
    }

    /// <summary>Parses Markdown or plain text and checks the result; used for whole files and for items inside batches.</summary>
    internal Manuscript ParseText(string text, ManuscriptFormat format, ManuscriptOrigin origin, IReadOnlyList<SettingInput> outerSettings)
    {
        var manuscript = format switch
        {
            ManuscriptFormat.Markdown => MarkdownManuscriptParser.Parse(text, origin, outerSettings),
            ManuscriptFormat.PlainText => PlainTextManuscriptParser.Parse(text, origin, outerSettings),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only Markdown and plain text are parsed as text."),
        };
        return Checked(manuscript);
    }

    /// <summary>A manuscript must have something to illustrate, and not too much.</summary>
    internal Manuscript Checked(Manuscript manuscript)
    {
        if (manuscript.StepCount == 0)
        {
            var why = manuscript.Warnings.Count > 0 ? " " + string.Join(" ", manuscript.Warnings) : string.Empty;
            throw new ManuscriptException(new ManuscriptError(manuscript.Source,
                "has nothing to illustrate: no paragraphs of text were found." + why));
        }

        if (manuscript.StepCount > Settings.MaxStepsPerManuscript)
        {
            throw new ManuscriptException(new ManuscriptError(manuscript.Source, string.Create(CultureInfo.InvariantCulture,
                $"has {manuscript.StepCount} paragraphs, over the limit of {Settings.MaxStepsPerManuscript} for one manuscript; split it.")));
        }

        return manuscript;
    }
}
