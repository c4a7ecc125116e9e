using System.Text;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Books;

/// <summary>Builds plans and step results for book tests, with pictures drawn from the step texts.</summary>
internal static class SampleBook
{
    public static readonly DateTimeOffset CreatedAt = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public const string Markdown = """
        ---
        title: Shapes <&> "Friends"
        author: Ada & Grace
        description: A test book.
        ---
        # Ignored Title

        ## Morning

        A big **red** circle sits on the left of a light blue background.

        ### A heading

        A small *yellow* square on a [white](https://example.com/white?a=1&b=2) background.

        ## Night & Day

        A white star shines at the top of a dark blue background.

        Two green triangles on a black background. `code` and <tag> & "quotes".
        """;

    public static ManuscriptPlan Plan(string text = Markdown, string name = "shapes.md", ManuscriptOptions? options = null)
    {
        var manuscript = new ManuscriptReader().ReadOne(name, Encoding.UTF8.GetBytes(text));
        return new ManuscriptPlanner().Plan(manuscript, ManuscriptId.ForContent(name, Encoding.UTF8.GetBytes(text)), options);
    }

    /// <summary>Writes each step's picture to <c>steps/NNN.png</c> and returns succeeded results, except the steps in <paramref name="fail"/>.</summary>
    public static async Task<List<StepResult>> IllustrateAsync(ManuscriptPlan plan, IBookFolder folder, params int[] fail)
    {
        var results = new List<StepResult>();
        foreach (var step in plan.Steps)
        {
            if (fail.Contains(step.Number))
            {
                results.Add(new StepResult
                {
                    StepNumber = step.Number,
                    Status = StepStatus.Failed,
                    Seed = step.Seed,
                    Attempts = 3,
                    Error = "CUDA out of memory while decoding the image (attempt 3 of 3).",
                });
                continue;
            }

            await folder.WriteFileAsync(step.ImagePath, ShapePictures.ForText(step.Text), createOnly: true);
            results.Add(new StepResult
            {
                StepNumber = step.Number,
                Status = StepStatus.Succeeded,
                Text = step.Text,
                ImagePath = step.ImagePath,
                Seed = step.Seed,
                Settings = new StepSettings("pndm", 50, 7.5, 128, 128, plan.Options.Style),
                ModelName = "nano",
                ModelHash = "sha256:0123456789abcdef0123456789abcdef",
                TimingsMs = new Dictionary<string, double> { ["total"] = 812.5, ["denoise"] = 700, ["text"] = 100.25 },
                Attempts = 1,
            });
        }

        return results;
    }
}
