using MiniGpt5.Functions.Schedules;

namespace MiniGpt5.Functions.Tests.App;

public sealed class CronExpressionTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc); // a Thursday

    [Theory]
    [InlineData("0 2 * * *", "2026-01-01T02:00:00")]
    [InlineData("*/15 * * * *", "2026-01-01T00:15:00")]
    [InlineData("0 */5 * * * *", "2026-01-01T00:05:00")]
    [InlineData("30 0 9 * * mon", "2026-01-05T09:00:30")]
    [InlineData("0 0 1 feb *", "2026-02-01T00:00:00")]
    [InlineData("0 12 13 * 5", "2026-01-02T12:00:00")]
    [InlineData("0 0 29 2 *", "2028-02-29T00:00:00")]
    [InlineData("0 9-17/4 * * 1-5", "2026-01-01T09:00:00")]
    [InlineData("0 0 * * 7", "2026-01-04T00:00:00")]
    public void Next_occurrence_matches_cron_semantics(string expression, string expected)
    {
        var next = CronExpression.Parse(expression).NextAfter(Start);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void Between_lists_every_occurrence_in_the_window_once()
    {
        var hits = CronExpression.Parse("0 * * * *").Between(Start, Start.AddHours(3)).ToList();
        Assert.Equal([Start.AddHours(1), Start.AddHours(2), Start.AddHours(3)], hits);
    }

    [Theory]
    [InlineData("* * * *", "4 fields")]
    [InlineData("60 * * * *", "minute field '60'")]
    [InlineData("* 5-3 * * *", "hour field '5-3'")]
    [InlineData("*/0 * * * *", "step")]
    [InlineData("* * * foo *", "month field 'foo'")]
    public void Bad_expressions_name_the_field(string expression, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CronExpression.Parse(expression));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
