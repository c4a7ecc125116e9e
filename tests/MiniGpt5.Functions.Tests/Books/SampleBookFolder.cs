using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.Books;

/// <summary>
/// The book of samples/manuscripts/shapes-day-and-night.md, with drawn pictures and one failed step, assembled
/// into a temporary folder. Set MINIGPT5_KEEP_BOOK to a directory to keep a copy there (to look at it).
/// </summary>
internal static class SampleBookFolder
{
    public const string SampleName = "shapes-day-and-night.md";

    public const int FailedStep = 5;

    public static async Task<(TempBookFolder Folder, ManuscriptPlan Plan)> CreateAsync()
    {
        var path = Path.Combine(RepoPaths.RepoRoot, "samples", "manuscripts", SampleName);
        var bytes = await File.ReadAllBytesAsync(path);
        var manuscript = new ManuscriptReader().ReadOne(SampleName, bytes);
        var plan = new ManuscriptPlanner().Plan(manuscript, ManuscriptId.ForContent(SampleName, bytes));
        var temp = new TempBookFolder();
        var results = new List<StepResult>();
        foreach (var step in plan.Steps)
        {
            if (step.Number == FailedStep)
            {
                results.Add(new StepResult { StepNumber = step.Number, Status = StepStatus.Failed, Error = "The worker ran out of GPU memory (3 attempts)." });
                continue;
            }

            await temp.Folder.WriteFileAsync(step.ImagePath, ShapePictures.ForText(step.Text, size: 256), createOnly: true);
            results.Add(new StepResult { StepNumber = step.Number, Status = StepStatus.Succeeded, ImagePath = step.ImagePath, ModelName = "nano" });
        }

        await BookAssembler.AssembleAsync(plan, results, temp.Folder, new BookAssemblyOptions { CreatedAt = SampleBook.CreatedAt });
        if (Environment.GetEnvironmentVariable("MINIGPT5_KEEP_BOOK") is { Length: > 0 } keep)
        {
            foreach (var file in Directory.GetFiles(temp.Directory.FullName, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(keep, Path.GetRelativePath(temp.Directory.FullName, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }

        return (temp, plan);
    }
}
