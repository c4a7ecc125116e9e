using System.Text.Json;
using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class ManuscriptPlannerTests
{
    private const string Id = "shapes-0123456789abcdef";

    private static readonly string Book = """
        ---
        title: Shapes
        style: crayon
        ---
        # Shapes

        ## Day

        One red circle.

        Two blue squares.

        Three green stars.

        ## Night

        Four yellow triangles.

        Five white dots.
        """;

    private static string Json(ManuscriptPlan plan) => JsonSerializer.Serialize(plan, ManuscriptJsonContext.Default.ManuscriptPlan);

    [Fact]
    public void Same_input_gives_an_identical_plan()
    {
        var a = new ManuscriptPlanner().Plan(ReadOne(Book), Id);
        var b = new ManuscriptPlanner().Plan(ReadOne(Book), Id);
        Assert.Equal(Json(a), Json(b));
    }

    [Fact]
    public void Steps_are_numbered_with_chapters_and_seeds()
    {
        var plan = new ManuscriptPlanner().Plan(ReadOne(Book), Id);
        Assert.Equal([1, 2, 3, 4, 5], plan.Steps.Select(s => s.Number));
        Assert.Equal(["001", "002", "003", "004", "005"], plan.Steps.Select(s => s.Key));
        Assert.Equal("steps/004.png", plan.Steps[3].ImagePath);
        Assert.Equal("steps/004.json", plan.Steps[3].MetadataPath);
        Assert.Equal([1, 1, 1, 2, 2], plan.Steps.Select(s => s.ChapterIndex));
        Assert.Equal([1, 2, 3, 1, 2], plan.Steps.Select(s => s.IndexInChapter));
        Assert.Equal("Night", plan.Steps[3].ChapterTitle);
        Assert.Equal([new PlannedChapter(1, "Day", 1, 3), new PlannedChapter(2, "Night", 4, 2)], plan.Chapters);
        Assert.Equal(plan.Steps.Select(s => StepSeed.Derive("manuscript:" + Id, s.Number)), plan.Steps.Select(s => s.Seed));
        Assert.Equal(5, plan.Steps.Select(s => s.Seed).Distinct().Count());
        Assert.Equal(("Shapes", "en", "crayon"), (plan.Title, plan.Language, plan.Options.Style));
        Assert.Equal(ManuscriptPlan.CurrentVersion, plan.PlanVersion);
    }

    [Fact]
    public void Different_manuscript_ids_give_different_seeds()
    {
        var a = new ManuscriptPlanner().Plan(ReadOne(Book), Id);
        var b = new ManuscriptPlanner().Plan(ReadOne(Book), "shapes-fedcba9876543210");
        Assert.All(a.Steps.Zip(b.Steps), pair => Assert.NotEqual(pair.First.Seed, pair.Second.Seed));
    }

    [Fact]
    public void A_fixed_seed_makes_seeds_independent_of_the_id()
    {
        var request = new ManuscriptOptions { Seed = 42 };
        var a = new ManuscriptPlanner().Plan(ReadOne(Book), Id, request);
        var b = new ManuscriptPlanner().Plan(ReadOne(Book), "other-fedcba9876543210", request);
        Assert.Equal(a.Steps.Select(s => s.Seed), b.Steps.Select(s => s.Seed));
        Assert.Equal(3522650064u, a.Steps[0].Seed);
    }

    [Fact]
    public void Context_is_the_last_k_steps_across_chapters_by_default()
    {
        var plan = new ManuscriptPlanner(new PlannerSettings { ContextSteps = 2 }).Plan(ReadOne(Book), Id);
        Assert.Empty(plan.Steps[0].Context);
        Assert.Equal(["One red circle."], plan.Steps[1].Context);
        Assert.Equal(["Two blue squares.", "Three green stars."], plan.Steps[3].Context);
    }

    [Fact]
    public void Chapter_scope_starts_each_chapter_fresh()
    {
        var plan = new ManuscriptPlanner(new PlannerSettings { ContextScope = ContextScope.Chapter }).Plan(ReadOne(Book), Id);
        Assert.Empty(plan.Steps[3].Context);
        Assert.Equal(["Four yellow triangles."], plan.Steps[4].Context);
        Assert.Equal(["One red circle.", "Two blue squares."], plan.Steps[2].Context);
    }

    [Fact]
    public void Context_fits_the_character_budget_dropping_the_oldest()
    {
        var plan = new ManuscriptPlanner(new PlannerSettings { ContextCharacters = 40 }).Plan(ReadOne(Book), Id);
        // "Three green stars." (18) + "Two blue squares." (17) + separators fit in 40; "One red circle." does not.
        Assert.Equal(["Two blue squares.", "Three green stars."], plan.Steps[3].Context);
    }

    [Fact]
    public void An_overlong_latest_step_keeps_its_end_cut_at_a_word()
    {
        var manuscript = ReadOne("one two three four five six seven eight nine ten.\n\nA red circle.\n", "s.txt");
        // 19 characters are left after the "…": "ven eight nine ten." is cut back to the next word.
        var plan = new ManuscriptPlanner(new PlannerSettings { ContextCharacters = 20 }).Plan(manuscript, Id);
        Assert.Equal(["…eight nine ten."], plan.Steps[1].Context);
        // 22 characters: the tail starts exactly at a word, which is kept.
        plan = new ManuscriptPlanner(new PlannerSettings { ContextCharacters = 22 }).Plan(manuscript, Id);
        Assert.Equal(["…seven eight nine ten."], plan.Steps[1].Context);
    }

    [Fact]
    public void Request_options_win_over_the_manuscript_field_by_field()
    {
        var manuscript = ReadOne("---\nstyle: crayon\nseed: 1\nguidance: 5\n---\nA red circle.\n");
        var plan = new ManuscriptPlanner().Plan(manuscript, Id, new ManuscriptOptions { Seed = 2, Scheduler = "PLMS" });
        Assert.Equal(("crayon", 2u, 5.0, "pndm"), (plan.Options.Style, plan.Options.Seed, plan.Options.GuidanceScale, plan.Options.Scheduler));
        Assert.Equal([BookFormat.Html, BookFormat.Markdown, BookFormat.Epub], plan.Options.Formats!);
        Assert.False(plan.Options.ReviewGate);
        Assert.Null(plan.Options.InferenceSteps);
    }

    [Fact]
    public void Invalid_request_options_name_the_request()
    {
        var ex = Assert.Throws<ManuscriptException>(() =>
            new ManuscriptPlanner().Plan(ReadOne("A red circle."), Id, new ManuscriptOptions { InferenceSteps = 0 }));
        Assert.Equal("request options", ex.Error.Source);
        Assert.Contains("inferenceSteps", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_per_chapter_merges_paragraphs_evenly_without_losing_text()
    {
        var text = string.Join("\n\n", Enumerable.Range(1, 10).Select(i => $"P{i}."));
        var plan = new ManuscriptPlanner().Plan(ReadOne(text, "s.txt"), Id, new ManuscriptOptions { MaxStepsPerChapter = 4 });
        Assert.Equal(["P1. P2. P3.", "P4. P5. P6.", "P7. P8.", "P9. P10."], plan.Steps.Select(s => s.Text));
        Assert.Equal(3, plan.Steps[0].Blocks.Count);
        Assert.Contains("merged into 4 steps", Assert.Single(plan.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_999_steps_is_refused_with_advice()
    {
        var text = string.Join("\n\n", Enumerable.Range(1, 1000).Select(i => $"P{i}."));
        var manuscript = ReadOne(text, "s.txt");
        var ex = Assert.Throws<ManuscriptException>(() => new ManuscriptPlanner().Plan(manuscript, Id));
        Assert.Contains("steps_per_chapter", ex.Message, StringComparison.Ordinal);
        Assert.Equal(200, new ManuscriptPlanner().Plan(manuscript, Id, new ManuscriptOptions { MaxStepsPerChapter = 200 }).Steps.Count);
    }

    [Fact]
    public void Plan_round_trips_through_json()
    {
        var plan = new ManuscriptPlanner().Plan(ReadOne(Book), Id, new ManuscriptOptions { ImageWidth = 256, Formats = [BookFormat.Epub] });
        var json = Json(plan);
        var back = JsonSerializer.Deserialize(json, ManuscriptJsonContext.Default.ManuscriptPlan)!;
        Assert.Equal(json, Json(back));
        Assert.Contains("\"format\":\"Markdown\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("imagePath", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_results_round_trip_through_json()
    {
        var results = Read("\"A red circle.\"\n{bad\n", "b.jsonl");
        var json = JsonSerializer.Serialize(results, ManuscriptJsonContext.Default.IReadOnlyListManuscriptReadResult);
        var back = JsonSerializer.Deserialize(json, ManuscriptJsonContext.Default.IReadOnlyListManuscriptReadResult)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, ManuscriptJsonContext.Default.IReadOnlyListManuscriptReadResult));
        Assert.True(back[0].Succeeded);
        Assert.Equal(2, back[1].Error!.Line);
    }
}
