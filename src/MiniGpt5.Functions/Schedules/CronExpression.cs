using System.Globalization;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// A cron expression: five fields (minute hour day-of-month month day-of-week) or six with seconds first (NCRONTAB,
/// as Azure Functions timers use). Each field is <c>*</c>, a number, a range <c>a-b</c>, a step <c>*/n</c> or
/// <c>a-b/n</c>, or a comma list of those; months and days also take names (<c>jan</c>, <c>mon</c>); day-of-week
/// 0 and 7 are Sunday. When both day fields are restricted a day matches either (classic cron). Times are UTC.
/// </summary>
public sealed class CronExpression
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly bool[] _seconds;
    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _days;
    private readonly bool[] _months;
    private readonly bool[] _weekdays;
    private readonly bool _daysRestricted;
    private readonly bool _weekdaysRestricted;

    private CronExpression(string text, bool[] seconds, bool[] minutes, bool[] hours, bool[] days, bool[] months, bool[] weekdays, bool daysRestricted, bool weekdaysRestricted)
    {
        Text = text;
        _seconds = seconds;
        _minutes = minutes;
        _hours = hours;
        _days = days;
        _months = months;
        _weekdays = weekdays;
        _daysRestricted = daysRestricted;
        _weekdaysRestricted = weekdaysRestricted;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the field at fault.</summary>
    public static CronExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6))
        {
            throw new FormatException($"Cron expression '{text}' has {fields.Length} fields; use 5 (minute hour day month weekday) or 6 (second first).");
        }

        var offset = fields.Length - 5;
        var seconds = offset == 1 ? ParseField(text, "second", fields[0], 0, 59, null) : Only(0, 60);
        var minutes = ParseField(text, "minute", fields[offset], 0, 59, null);
        var hours = ParseField(text, "hour", fields[offset + 1], 0, 23, null);
        var days = ParseField(text, "day of month", fields[offset + 2], 1, 31, null);
        var months = ParseField(text, "month", fields[offset + 3], 1, 12, MonthNames);
        var weekdays = ParseField(text, "day of week", fields[offset + 4], 0, 7, DayNames);
        weekdays[0] |= weekdays[7];
        return new CronExpression(text, seconds, minutes, hours, days, months, weekdays[..7],
            fields[offset + 2] is not ("*" or "?"), fields[offset + 4] is not ("*" or "?"));
    }

    /// <summary>The first occurrence strictly after <paramref name="afterUtc"/>, or null when there is none within 5 years.</summary>
    public DateTime? NextAfter(DateTime afterUtc)
    {
        var t = Truncate(afterUtc).AddSeconds(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!_months[t.Month])
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
                continue;
            }

            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (!_hours[t.Hour])
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }

            if (!_minutes[t.Minute])
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
                continue;
            }

            if (!_seconds[t.Second])
            {
                t = t.AddSeconds(1);
                continue;
            }

            return t;
        }

        return null;
    }

    /// <summary>Every occurrence in (<paramref name="fromUtc"/>, <paramref name="toUtc"/>], oldest first.</summary>
    public IEnumerable<DateTime> Between(DateTime fromUtc, DateTime toUtc)
    {
        for (var next = NextAfter(fromUtc); next is { } t && t <= toUtc; next = NextAfter(t))
        {
            yield return t;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private bool DayMatches(DateTime t)
    {
        var day = _days[t.Day];
        var weekday = _weekdays[(int)t.DayOfWeek];
        return _daysRestricted && _weekdaysRestricted ? day || weekday : day && weekday;
    }

    private static DateTime Truncate(DateTime t)
    {
        var utc = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc);
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static bool[] Only(int value, int size)
    {
        var set = new bool[size];
        set[value] = true;
        return set;
    }

    private static bool[] ParseField(string text, string name, string field, int min, int max, string[]? names)
    {
        var set = new bool[max + 1];
        foreach (var part in field.Split(','))
        {
            var (range, stepText) = part.Split('/') switch
            {
                [var r] => (r, null),
                [var r, var s] => (r, s),
                _ => throw Error(text, name, part, "has more than one '/'"),
            };
            var step = 1;
            if (stepText is not null && (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
            {
                throw Error(text, name, part, "has a step that is not a positive whole number");
            }

            int low, high;
            if (range is "*" or "?")
            {
                (low, high) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                (low, high) = (Value(text, name, a, min, max, names), Value(text, name, b, min, max, names));
                if (low > high)
                {
                    throw Error(text, name, part, "is a range whose start is after its end");
                }
            }
            else
            {
                low = Value(text, name, range, min, max, names);
                high = stepText is null ? low : max;
            }

            for (var v = low; v <= high; v += step)
            {
                set[v] = true;
            }
        }

        return set;
    }

    private static int Value(string text, string name, string token, int min, int max, string[]? names)
    {
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        var index = names is null ? -1 : Array.IndexOf(names, token.ToLowerInvariant());
        if (index >= 0)
        {
            return names == MonthNames ? index + 1 : index;
        }

        throw Error(text, name, token, $"is not a value from {min} to {max}");
    }

    private static FormatException Error(string text, string name, string part, string problem) =>
        new($"Cron expression '{text}': the {name} field '{part}' {problem}.");
}
