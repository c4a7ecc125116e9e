using System.Text;
using MiniGpt5.Text.PythonCompat;

namespace MiniGpt5.Training.Data;

/// <summary>
/// CC3MDataset.pre_caption: Python lower(); each of <c>.!"()*#:;~</c> becomes a space; every run of two or more
/// whitespace characters becomes one space; trailing newlines and surrounding spaces are stripped.
/// </summary>
public static class CaptionPreprocessor
{
    /// <summary>The preprocessed caption.</summary>
    public static string Preprocess(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var lowered = PythonText.ToLower(caption);
        var replaced = new StringBuilder(lowered.Length);
        foreach (var c in lowered)
        {
            replaced.Append(c is '.' or '!' or '"' or '(' or ')' or '*' or '#' or ':' or ';' or '~' ? ' ' : c);
        }

        // re.sub(r"\s{2,}", " "): only runs of two or more; a lone tab or newline stays.
        var text = replaced.ToString();
        var collapsed = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var run = 0;
            while (i + run < text.Length && PythonWhitespace.IsRegexSpace(text[i + run]))
            {
                run++;
            }

            if (run >= 2)
            {
                collapsed.Append(' ');
                i += run;
            }
            else
            {
                collapsed.Append(text[i]);
                i++;
            }
        }

        return collapsed.ToString().TrimEnd('\n').Trim(' ');
    }
}
