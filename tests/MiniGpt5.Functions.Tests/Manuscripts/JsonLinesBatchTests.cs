using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class JsonLinesBatchTests
{
    [Fact]
    public void One_bad_line_fails_alone_among_good_ones()
    {
        var batch = string.Join('\n',
            """{"title": "One", "steps": ["A red circle.", "A blue square."]}""",
            "",
            """{"format": "text", "name": "two.txt", "text": "CHAPTER 1\n\nA green star."}""",
            """{"title": "Broken", "steps": ["A red circle.",]}""",
            "\"# Three\\n\\nA yellow triangle.\"",
            """{"format": "markdown", "text": "   "}""",
            """{"s1": [{"caption": "a", "sequence_index": 0}], "s2": [{"caption": "b", "sequence_index": 0}]}""",
            "42",
            "");
        var results = Read(batch, "batch.jsonl");
        Assert.Equal(
            ["line-1", "line-3", "line-4", "line-5", "line-6", "line-7-story-s1", "line-7-story-s2", "line-8"],
            results.Select(r => r.ItemKey));
        Assert.Equal([true, true, false, true, false, true, true, false], results.Select(r => r.Succeeded));

        var broken = results[2].Error!;
        Assert.Equal("batch.jsonl, line 4", broken.Source);
        Assert.Equal(4, broken.Line);
        Assert.Equal(47, broken.Column); // the stray ']'
        Assert.StartsWith("malformed JSON", broken.Message, StringComparison.Ordinal);

        Assert.Equal("two", results[1].Manuscript!.Title);
        Assert.Equal(ManuscriptFormat.PlainText, results[1].Manuscript!.Format);
        Assert.Equal("Three", results[3].Manuscript!.Title);
        Assert.Equal(ManuscriptFormat.Markdown, results[3].Manuscript!.Format);
        Assert.Equal("batch.jsonl, line 7, story s2", results[6].Manuscript!.Source);
        Assert.Contains("object or a string", results[7].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_over_the_limit_fails_alone()
    {
        var reader = new ManuscriptReader(new ManuscriptReaderSettings { MaxManuscriptBytes = 200 });
        var big = "\"" + new string('a', 300) + "\"";
        var results = reader.Read("b.jsonl", System.Text.Encoding.UTF8.GetBytes($"\"A red circle.\"\n{big}\n"));
        Assert.True(results[0].Succeeded);
        Assert.Contains("over the 200 bytes limit", results[1].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(2, results[1].Error!.Line);
    }

    [Fact]
    public void Too_many_items_fail_past_the_limit()
    {
        var reader = new ManuscriptReader(new ManuscriptReaderSettings { MaxManuscriptsPerBatch = 2 });
        var results = reader.Read("b.jsonl", "\"A.\"\n\"B.\"\n\"C.\"\n"u8);
        Assert.Equal([true, true, false], results.Select(r => r.Succeeded));
        Assert.Contains("split the file", results[2].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detected_from_content_when_the_name_says_nothing()
    {
        var results = Read("{\"steps\": [\"A.\"]}\n{\"steps\": [\"B.\"]}\n", "upload");
        Assert.Equal(["line-1", "line-2"], results.Select(r => r.ItemKey));
    }

    [Fact]
    public void Binary_batch_fails_as_a_whole_with_one_result()
    {
        var results = Reader.Read("b.jsonl", [0x7B, 0x00, 0x7D]);
        Assert.Contains("binary", Assert.Single(results).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_batch_has_no_manuscripts()
    {
        var error = Fails("\n\n   \n", "b.jsonl");
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_one_refuses_batches()
    {
        var ex = Assert.Throws<ManuscriptException>(() => Reader.ReadOne("b.jsonl", "\"A.\"\n\"B.\"\n"u8));
        Assert.Contains("holds 2 manuscripts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_inside_a_wrapped_text_say_their_positions_count_in_the_text()
    {
        var results = Read("\"ok.\"\n{\"format\": \"markdown\", \"text\": \"---\\nseed: many\\n---\\nA red circle.\"}\n", "b.jsonl");
        var error = results[1].Error!;
        Assert.Equal("b.jsonl, line 2 (\"text\")", error.Source);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("b.jsonl, line 2 (\"text\"), line 2, column 7: ", error.ToString(), StringComparison.Ordinal);
    }
}
