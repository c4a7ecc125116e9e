namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The content of a split, as endless deterministic sequences (take as many as needed): candidate i of a
/// stream draws from <c>new NanoRandom(NanoRandom.DeriveSeed(seed, stream, i))</c> (stream 1: captions, 2:
/// stories) and is kept when its content belongs to the split (<see cref="NanoSplits.Of"/>). The first N items
/// of a split are the same whatever else is generated, so a dataset written with N items is a prefix of one
/// written with more, and evaluation code can rebuild held-out stories without reading files.
/// </summary>
public static class NanoDatasetSampler
{
    /// <summary>Stream id of caption candidates.</summary>
    public const ulong CaptionStream = 1;

    /// <summary>Stream id of story candidates.</summary>
    public const ulong StoryStream = 2;

    /// <summary>Caption–scene pairs of <paramref name="split"/> under <paramref name="seed"/>.</summary>
    public static IEnumerable<NanoCaptionSample> Captions(ulong seed, NanoSplit split)
    {
        for (long i = 0; ; i++)
        {
            var random = new NanoRandom(NanoRandom.DeriveSeed(seed, CaptionStream, (ulong)i));
            var scene = NanoSceneSampler.Sample(random);
            if (NanoSplits.Of(scene.Key) != split)
            {
                continue;
            }

            yield return new NanoCaptionSample(i, scene, NanoCaptionWriter.Write(scene, random));
        }
    }

    /// <summary>Stories of <paramref name="split"/> under <paramref name="seed"/>.</summary>
    public static IEnumerable<NanoStorySample> Stories(ulong seed, NanoSplit split)
    {
        for (long i = 0; ; i++)
        {
            var story = NanoStoryGenerator.Generate(new NanoRandom(NanoRandom.DeriveSeed(seed, StoryStream, (ulong)i)));
            if (NanoSplits.Of(story.Key) == split)
            {
                yield return new NanoStorySample(i, story);
            }
        }
    }
}
