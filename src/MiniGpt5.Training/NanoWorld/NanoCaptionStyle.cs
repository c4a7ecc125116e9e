namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The wording choices of one caption. All styles say the same thing; <see cref="NanoCaptionParser"/> reads
/// every one of them back to the same scene.
/// </summary>
/// <param name="Template">Sentence frame 0..<see cref="TemplateCount"/>−1 (see <see cref="NanoCaptionWriter"/>).</param>
/// <param name="SizeSynonyms">"little"/"large" instead of "small"/"big".</param>
/// <param name="PositionVariant">0: "at the top left", "on the left", "in the middle", "at the top";
/// 1: "in the top left corner", "on the left side", "in the center", "at the top center".</param>
/// <param name="OneByOne">Groups of two or three list their places as ", one at … and one at …" instead of
/// "at … and at …".</param>
public sealed record NanoCaptionStyle(int Template, bool SizeSynonyms, int PositionVariant, bool OneByOne)
{
    /// <summary>Number of sentence frames.</summary>
    public const int TemplateCount = 5;

    /// <summary>Template 0, canonical words: "a big red circle on the left on a white background".</summary>
    public static NanoCaptionStyle Canonical { get; } = new(0, false, 0, false);

    /// <summary>
    /// A random style: template uniform; size synonyms with probability 0.2; the alternative position phrases
    /// with probability 0.25; one-by-one group places with probability 0.5.
    /// </summary>
    public static NanoCaptionStyle Sample(NanoRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var template = random.NextInt(TemplateCount);
        var synonyms = random.Chance(0.2);
        var variant = random.Chance(0.25) ? 1 : 0;
        var oneByOne = random.Chance(0.5);
        return new NanoCaptionStyle(template, synonyms, variant, oneByOne);
    }
}
