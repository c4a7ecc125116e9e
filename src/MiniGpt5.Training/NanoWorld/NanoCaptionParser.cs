using System.Globalization;

namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Reads a scene back from a caption or story-step text. Case and punctuation are ignored (so MiniGPT-5's CC3M
/// <c>pre_caption</c>, which lower-cases and blanks out <c>.!"()*#:;~</c>, changes nothing), and so are words
/// outside the vocabulary (connectives such as "then", "suddenly", "after that"; "there is", "and", "with").
/// The rules, over the word sequence:
/// <list type="number">
/// <item>Background: exactly one background colour — <c>white</c>, or <c>pale|light</c> followed by
/// <c>blue|green|pink|yellow</c> — and the word <c>background</c> somewhere in the text.</item>
/// <item>Object groups: each kind noun (<c>circle(s) square(s) triangle(s) rectangle(s)</c>) must directly follow
/// <c>COUNT SIZE COLOUR</c>: COUNT ∈ a, an, one, two, three (or 1..3), SIZE ∈ small, little, tiny, big,
/// large, COLOUR ∈ red, orange, yellow, green, blue, purple, black. The noun's number must agree with the count.</item>
/// <item>Positions: <c>at|on|in the</c> + one or two of top/upper, middle/center/centre, bottom/lower, left,
/// right (+ optional corner/side). Row: top/upper → top, bottom/lower → bottom, otherwise middle; column:
/// left, right, otherwise center. The positions between one group and the next belong to the first; there
/// must be exactly COUNT of them.</item>
/// <item>The scene has 1..3 objects, no two in the same cell.</item>
/// </list>
/// </summary>
public static class NanoCaptionParser
{
    private static readonly Dictionary<string, int> Counts = new(StringComparer.Ordinal)
    {
        ["a"] = 1, ["an"] = 1, ["one"] = 1, ["1"] = 1, ["two"] = 2, ["2"] = 2, ["three"] = 3, ["3"] = 3,
    };

    private static readonly Dictionary<string, ShapeSize> Sizes = new(StringComparer.Ordinal)
    {
        ["small"] = ShapeSize.Small, ["little"] = ShapeSize.Small, ["tiny"] = ShapeSize.Small,
        ["big"] = ShapeSize.Big, ["large"] = ShapeSize.Big,
    };

    private static readonly Dictionary<string, ShapeColor> Colors = new(StringComparer.Ordinal)
    {
        ["red"] = ShapeColor.Red, ["orange"] = ShapeColor.Orange, ["yellow"] = ShapeColor.Yellow,
        ["green"] = ShapeColor.Green, ["blue"] = ShapeColor.Blue, ["purple"] = ShapeColor.Purple,
        ["black"] = ShapeColor.Black,
    };

    private static readonly Dictionary<string, (ShapeKind Kind, bool Plural)> Kinds = new(StringComparer.Ordinal)
    {
        ["circle"] = (ShapeKind.Circle, false), ["circles"] = (ShapeKind.Circle, true),
        ["square"] = (ShapeKind.Square, false), ["squares"] = (ShapeKind.Square, true),
        ["triangle"] = (ShapeKind.Triangle, false), ["triangles"] = (ShapeKind.Triangle, true),
        ["rectangle"] = (ShapeKind.Rectangle, false), ["rectangles"] = (ShapeKind.Rectangle, true),
    };

    private static readonly Dictionary<string, BackgroundColor> PaleHues = new(StringComparer.Ordinal)
    {
        ["blue"] = BackgroundColor.PaleBlue, ["green"] = BackgroundColor.PaleGreen,
        ["pink"] = BackgroundColor.PalePink, ["yellow"] = BackgroundColor.PaleYellow,
    };

    private static readonly HashSet<string> Prepositions = new(StringComparer.Ordinal) { "at", "on", "in" };

    private static readonly HashSet<string> PlaceWords = new(StringComparer.Ordinal)
    {
        "top", "upper", "middle", "center", "centre", "bottom", "lower", "left", "right",
    };

    /// <summary>The scene <paramref name="text"/> describes.</summary>
    /// <exception cref="NanoCaptionException">The text is not a caption of the world; the message says why.</exception>
    public static NanoScene Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var scene, out var problem) ? scene! : throw new NanoCaptionException(text, problem!);
    }

    /// <summary>Like <see cref="Parse"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParse(string text, out NanoScene? scene, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        scene = null;
        var words = Tokenize(text);
        var used = new bool[words.Count];

        if (!TryReadBackground(words, used, out var background, out problem))
        {
            return false;
        }

        if (!TryReadGroups(words, used, out var groups, out problem))
        {
            return false;
        }

        if (!TryReadPlaces(words, used, groups, out problem))
        {
            return false;
        }

        var objects = groups.SelectMany(g => g.Cells.Select(c => new NanoObject(g.Kind, g.Color, g.Size, c))).ToList();
        if (objects.Count > NanoScene.MaxObjects)
        {
            problem = $"it names {objects.Count} objects; a scene holds at most {NanoScene.MaxObjects}.";
            return false;
        }

        var clash = objects.GroupBy(o => o.Cell).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            problem = $"two objects are placed {NanoVocabulary.PositionPhrase(clash.Key, 0)} ({string.Join(" and ", clash)}).";
            return false;
        }

        scene = new NanoScene(background, objects);
        problem = null;
        return true;
    }

    /// <summary>Lower-case runs of letters or of digits; everything else separates words.</summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                i++;
                continue;
            }

            var digit = char.IsAsciiDigit(c);
            var start = i;
            while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]) && char.IsAsciiDigit(text[i]) == digit)
            {
                i++;
            }

            words.Add(text[start..i].ToLowerInvariant());
        }

        return words;
    }

    private static bool TryReadBackground(IReadOnlyList<string> words, bool[] used, out BackgroundColor background, out string? problem)
    {
        background = default;
        var found = new List<BackgroundColor>();
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] is "pale" or "light" && i + 1 < words.Count && PaleHues.TryGetValue(words[i + 1], out var pale))
            {
                found.Add(pale);
                used[i] = used[i + 1] = true;
                i++;
            }
            else if (words[i] == "white")
            {
                found.Add(BackgroundColor.White);
                used[i] = true;
            }
        }

        var distinct = found.Distinct().ToList();
        if (distinct.Count != 1)
        {
            problem = distinct.Count == 0
                ? "no background colour (white, pale blue, pale green, pale pink or pale yellow)."
                : $"several background colours ({string.Join(", ", distinct.Select(NanoVocabulary.BackgroundWord))}).";
            return false;
        }

        if (!words.Contains("background"))
        {
            problem = $"it names {NanoVocabulary.BackgroundWord(distinct[0])} but never the word 'background'.";
            return false;
        }

        background = distinct[0];
        problem = null;
        return true;
    }

    private static bool TryReadGroups(IReadOnlyList<string> words, bool[] used, out List<Group> groups, out string? problem)
    {
        groups = [];
        for (var i = 0; i < words.Count; i++)
        {
            if (used[i] || !Kinds.TryGetValue(words[i], out var noun))
            {
                continue;
            }

            if (i < 3 || used[i - 1] || used[i - 2] || used[i - 3] ||
                !Colors.TryGetValue(words[i - 1], out var color) ||
                !Sizes.TryGetValue(words[i - 2], out var size) ||
                !Counts.TryGetValue(words[i - 3], out var count))
            {
                var start = Math.Max(0, i - 3);
                problem = $"'{string.Join(' ', words.Skip(start).Take(i - start + 1))}' is not COUNT SIZE COLOUR {words[i]} " +
                    "(e.g. 'a big red circle', 'two small blue squares').";
                return false;
            }

            if (noun.Plural != (count > 1))
            {
                problem = $"'{words[i - 3]} {words[i - 2]} {words[i - 1]} {words[i]}': the count and the noun disagree.";
                return false;
            }

            used[i] = used[i - 1] = used[i - 2] = used[i - 3] = true;
            groups.Add(new Group(noun.Kind, color, size, count, Start: i - 3, End: i + 1));
        }

        if (groups.Count == 0)
        {
            problem = "no object (COUNT SIZE COLOUR KIND, e.g. 'a big red circle').";
            return false;
        }

        problem = null;
        return true;
    }

    private static bool TryReadPlaces(IReadOnlyList<string> words, bool[] used, List<Group> groups, out string? problem)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (used[i] || !Prepositions.Contains(words[i]) || i + 2 >= words.Count || words[i + 1] != "the" || !PlaceWords.Contains(words[i + 2]))
            {
                continue;
            }

            var placeWords = new List<string> { words[i + 2] };
            var end = i + 3;
            if (end < words.Count && PlaceWords.Contains(words[end]))
            {
                placeWords.Add(words[end]);
                end++;
            }

            if (end < words.Count && words[end] is "corner" or "side")
            {
                end++;
            }

            var phrase = string.Join(' ', words.Skip(i).Take(end - i));
            if (!TryCell(placeWords, out var cell))
            {
                problem = $"'{phrase}' is not a place on the 3x3 grid.";
                return false;
            }

            var owner = groups.LastOrDefault(g => g.End <= i);
            if (owner is null)
            {
                problem = $"the place '{phrase}' comes before any object.";
                return false;
            }

            owner.Cells.Add(cell);
            i = end - 1;
        }

        foreach (var g in groups)
        {
            if (g.Cells.Count != g.Count)
            {
                var what = string.Join(' ', words.Skip(g.Start).Take(g.End - g.Start));
                problem = $"'{what}' is given {g.Cells.Count.ToString(CultureInfo.InvariantCulture)} place(s) for " +
                    $"{g.Count.ToString(CultureInfo.InvariantCulture)} object(s).";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static bool TryCell(List<string> placeWords, out GridCell cell)
    {
        GridRow? row = null;
        GridColumn? column = null;
        var centre = 0;
        foreach (var w in placeWords)
        {
            switch (w)
            {
                case "top" or "upper" when row is null:
                    row = GridRow.Top;
                    break;
                case "bottom" or "lower" when row is null:
                    row = GridRow.Bottom;
                    break;
                case "left" when column is null:
                    column = GridColumn.Left;
                    break;
                case "right" when column is null:
                    column = GridColumn.Right;
                    break;
                case "middle" or "center" or "centre":
                    centre++;
                    break;
                default:
                    cell = default;
                    return false;
            }
        }

        // "middle"/"center" fills whichever axis is not named; named twice ("middle center") it means the centre cell.
        if (centre > 0 && row is not null && column is not null)
        {
            cell = default;
            return false;
        }

        cell = new GridCell(row ?? GridRow.Middle, column ?? GridColumn.Center);
        return true;
    }

    private sealed record Group(ShapeKind Kind, ShapeColor Color, ShapeSize Size, int Count, int Start, int End)
    {
        public List<GridCell> Cells { get; } = [];
    }
}
