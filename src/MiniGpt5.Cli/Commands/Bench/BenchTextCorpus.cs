namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// The fixed text `bench text` encodes: what the batch service tokenises (MiniGPT-5 prompts with image slots
/// and vokens, story steps, captions), plus code, numbers and non-Latin scripts. Built deterministically from
/// the fragments below (fixed seed), so every run measures the same text.
/// </summary>
internal static class BenchTextCorpus
{
    private const string SystemPrompt = "Give the following images in <Img>ImageContent</Img> format. You will be able to see the images once I provide it to you. Please understanding images and generate story.";

    private static readonly string[] Sentences =
    [
        "my sister arrived early to help me with the family bar bq.",
        "every one else arrived soon after.",
        "the kids played in the garden while the adults talked about the weather.",
        "we went to the beach and built a huge sand castle with towers and a moat.",
        "the old lighthouse stood on the cliff, its light sweeping across the dark water.",
        "after dinner, grandpa told stories about the war and his first car.",
        "a red car parked on a quiet street lined with autumn trees",
        "a photograph of an astronaut riding a horse on the moon, high detail",
        "The museum was crowded; nobody noticed the painting had been replaced.",
        "At 7:45 a.m. on March 3, 2024, the train left platform 9 with 312 passengers.",
        "She paid $1,299.99 for the camera and 15% more for the lens.",
        "def tokenize(text: str) -> list[int]:\n    return [vocab[t] for t in text.split()]",
        "for (var i = 0; i < ids.Length; i++) { sum += ids[i] * weights[i]; }",
        "孩子们在公园里放风筝，天空中飘着白云。",
        "東京の夜景はとても綺麗でした。",
        "Мы гуляли по набережной до самого заката.",
        "الأطفال يلعبون في الحديقة بعد المدرسة",
        "naïve café owners serve crème brûlée 🍮 and 🥐 every morning!",
        "   indented line with    irregular   spacing\tand tabs   ",
        "\"Where are you going?\" she asked. \"Home,\" he said, \"it's late.\"",
    ];

    private static readonly string[] Templates =
    [
        "###Human:{0}<Img><ImageHere></Img>{1}<Img><ImageHere></Img>\n Tell me the next scene with image. ###Assistant:",
        "###Human:{0}<Img><ImageHere></Img>\n Generate an image with the scene description: {1} ###Assistant:",
        "{0} [IMG0][IMG1][IMG2][IMG3][IMG4][IMG5][IMG6][IMG7] ###",
        "{0} {1}",
        "{0}",
    ];

    /// <summary>The texts, one per request (about 3,000 of them).</summary>
    public static IReadOnlyList<string> Texts { get; } = Build(3000);

    private static string[] Build(int count)
    {
        var random = new Random(20240601);
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            var template = Templates[random.Next(Templates.Length)];
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, template,
                Sentences[random.Next(Sentences.Length)], Sentences[random.Next(Sentences.Length)]);
            texts[i] = template.StartsWith("###", StringComparison.Ordinal) ? SystemPrompt + text : text;
        }

        return texts;
    }
}
