using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// The <see cref="IllustrationNames.IllustrateStep"/> activity's input; it returns a
/// <see cref="Books.StepResult"/>. Everything that decides the picture is here, so a retry paints the same one.
/// </summary>
/// <param name="ManuscriptId">The manuscript id.</param>
/// <param name="Book">The book folder the step's files go to.</param>
/// <param name="StepNumber">1-based step number.</param>
/// <param name="Text">The step's text.</param>
/// <param name="Context">Texts of the steps before it, oldest first.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Options">The plan's merged options (style, sampler, guidance, size).</param>
/// <param name="Revision">1 for the first painting; each review-gate regeneration counts up (new seed, new files).</param>
public sealed record IllustrateStepInput(
    string ManuscriptId,
    BookLocation Book,
    int StepNumber,
    string Text,
    IReadOnlyList<string> Context,
    uint Seed,
    ManuscriptOptions Options,
    int Revision = 1)
{
    /// <summary>Where the image goes inside the book folder: <c>steps/001.png</c>, or <c>steps/001-r2.png</c> for revision 2.</summary>
    public string ImagePath => $"steps/{FileStem}.png";

    /// <summary>Where the step record goes: <c>steps/001.json</c> (or <c>steps/001-r2.json</c>).</summary>
    public string MetadataPath => $"steps/{FileStem}.json";

    private string FileStem => Revision <= 1
        ? StepNumber.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{StepNumber:D3}-r{Revision}");
}
