using System.Text;

namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Writes the English caption of a scene (lower case, one sentence, ending in a full stop). Objects with the
/// same kind, colour and size form one group phrase with a count, listed in the order of their first cell
/// (row-major), so the caption reads top-left to bottom-right:
/// <list type="bullet">
/// <item>group: <c>a big red circle on the left</c> · <c>two small blue squares at the top left and in the
/// middle</c> · (one-by-one) <c>three little green triangles, one at the top, one on the right and one at the
/// bottom</c>;</item>
/// <item>objects (T): <c>G1</c> · <c>G1 and G2</c> · <c>G1, G2 and G3</c>;</item>
/// <item>templates, with B the background: 0 <c>T on a B background</c> · 1 <c>on a B background, there is|are T</c> ·
/// 2 <c>a B background with T</c> · 3 <c>T, and the background is B</c> · 4 <c>there is|are T against a B
/// background</c> ("is" or "are" agrees with the first group).</item>
/// </list>
/// A story step prefixes a connective: <c>then, …</c> (see <see cref="NanoStoryGenerator"/>).
/// </summary>
public static class NanoCaptionWriter
{
    /// <summary>The caption of <paramref name="scene"/> in <paramref name="style"/>.</summary>
    public static string Write(NanoScene scene, NanoCaptionStyle style)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(style);
        var groups = Groups(scene);
        var objects = JoinList(groups.Select(g => GroupPhrase(g, style)).ToList());
        var be = groups[0].Count == 1 ? "is" : "are";
        var background = NanoVocabulary.BackgroundWord(scene.Background);
        var sentence = style.Template switch
        {
            0 => $"{objects} on a {background} background",
            1 => $"on a {background} background, there {be} {objects}",
            2 => $"a {background} background with {objects}",
            3 => $"{objects}, and the background is {background}",
            4 => $"there {be} {objects} against a {background} background",
            _ => throw new ArgumentOutOfRangeException(nameof(style), style.Template, $"Templates are 0..{NanoCaptionStyle.TemplateCount - 1}."),
        };
        return sentence + ".";
    }

    /// <summary>The caption in a random style (<see cref="NanoCaptionStyle.Sample"/>).</summary>
    public static string Write(NanoScene scene, NanoRandom random) => Write(scene, NanoCaptionStyle.Sample(random));

    /// <summary>The canonical caption (<see cref="NanoCaptionStyle.Canonical"/>).</summary>
    public static string WriteCanonical(NanoScene scene) => Write(scene, NanoCaptionStyle.Canonical);

    /// <summary>The scene's objects grouped by looks, groups in order of their first cell, cells ascending.</summary>
    public static IReadOnlyList<IReadOnlyList<NanoObject>> Groups(NanoScene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var groups = new List<List<NanoObject>>();
        foreach (var o in scene.Objects)
        {
            var group = groups.Find(g => g[0].Looks == o.Looks);
            if (group is null)
            {
                groups.Add([o]);
            }
            else
            {
                group.Add(o);
            }
        }

        return groups;
    }

    private static string GroupPhrase(IReadOnlyList<NanoObject> group, NanoCaptionStyle style)
    {
        var first = group[0];
        var size = style.SizeSynonyms ? NanoVocabulary.SizeSynonym(first.Size) : NanoVocabulary.SizeWord(first.Size);
        var builder = new StringBuilder()
            .Append(NanoVocabulary.CountWord(group.Count, size)).Append(' ')
            .Append(size).Append(' ')
            .Append(NanoVocabulary.ColorWord(first.Color)).Append(' ')
            .Append(NanoVocabulary.KindNoun(first.Kind, group.Count));
        var places = group.Select(o => NanoVocabulary.PositionPhrase(o.Cell, style.PositionVariant)).ToList();
        if (group.Count > 1 && style.OneByOne)
        {
            builder.Append(", ").Append(JoinList(places.Select(p => "one " + p).ToList()));
        }
        else
        {
            builder.Append(' ').Append(JoinList(places));
        }

        return builder.ToString();
    }

    private static string JoinList(List<string> items) => items.Count switch
    {
        1 => items[0],
        2 => $"{items[0]} and {items[1]}",
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
}
