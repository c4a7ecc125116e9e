namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Makes random stories. A story has 3, 4 or 5 steps (uniform). Step 0 is a scene from
/// <see cref="NanoSceneSampler.Sample"/>. Each later step applies exactly one event to the previous scene,
/// chosen among those that apply with weights Appear 3 (fewer than 3 objects), Disappear 2 (more than one),
/// Move 3 (to a uniformly chosen empty cell), Recolor 2 (another uniform colour), Resize 2 (small ↔ big),
/// ChangeBackground 1 (another uniform background); the object affected is uniform among the scene's. Every
/// step's text describes the whole scene (<see cref="NanoCaptionWriter"/>, random style), prefixed with a
/// connective: step 0 with probability ½ ("first", "at first", "in the beginning"); middle steps with
/// probability 0.8 ("then", "next", "after that", "suddenly", "later"); the last step with probability 0.8,
/// half of the time "finally", otherwise a middle-step connective.
/// </summary>
public static class NanoStoryGenerator
{
    /// <summary>Fewest steps in a story.</summary>
    public const int MinSteps = 3;

    /// <summary>Most steps in a story.</summary>
    public const int MaxSteps = 5;

    private static readonly string[] Openers = ["first", "at first", "in the beginning"];
    private static readonly string[] Connectives = ["then", "next", "after that", "suddenly", "later"];

    private static readonly NanoStoryEvent[] Events =
    [
        NanoStoryEvent.Appear, NanoStoryEvent.Disappear, NanoStoryEvent.Move,
        NanoStoryEvent.Recolor, NanoStoryEvent.Resize, NanoStoryEvent.ChangeBackground,
    ];

    private static readonly int[] EventWeights = [3, 2, 3, 2, 2, 1];

    /// <summary>A random story.</summary>
    public static NanoStory Generate(NanoRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var stepCount = MinSteps + random.NextInt(MaxSteps - MinSteps + 1);
        var scenes = new List<(NanoScene Scene, NanoStoryEvent Event)> { (NanoSceneSampler.Sample(random), NanoStoryEvent.Start) };
        while (scenes.Count < stepCount)
        {
            var previous = scenes[^1].Scene;
            var weights = new int[Events.Length];
            for (var i = 0; i < Events.Length; i++)
            {
                weights[i] = Applies(Events[i], previous) ? EventWeights[i] : 0;
            }

            var chosen = Events[random.PickWeighted(weights)];
            scenes.Add((Apply(chosen, previous, random), chosen));
        }

        var steps = new List<NanoStoryStep>(stepCount);
        for (var i = 0; i < stepCount; i++)
        {
            var connective = Connective(random, i, stepCount);
            var caption = NanoCaptionWriter.Write(scenes[i].Scene, random);
            var text = connective is null ? caption : $"{connective}, {caption}";
            steps.Add(new NanoStoryStep(i, scenes[i].Scene, scenes[i].Event, text));
        }

        return new NanoStory(steps);
    }

    /// <summary>Whether <paramref name="storyEvent"/> can change <paramref name="scene"/>.</summary>
    public static bool Applies(NanoStoryEvent storyEvent, NanoScene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        return storyEvent switch
        {
            NanoStoryEvent.Appear => scene.Objects.Count < NanoScene.MaxObjects,
            NanoStoryEvent.Disappear => scene.Objects.Count > 1,
            NanoStoryEvent.Move or NanoStoryEvent.Recolor or NanoStoryEvent.Resize or NanoStoryEvent.ChangeBackground => true,
            _ => false,
        };
    }

    /// <summary>The scene after <paramref name="storyEvent"/>; always different from <paramref name="scene"/>.</summary>
    public static NanoScene Apply(NanoStoryEvent storyEvent, NanoScene scene, NanoRandom random)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(random);
        if (!Applies(storyEvent, scene))
        {
            throw new ArgumentException($"{storyEvent} does not apply to the scene {scene.Key}.", nameof(storyEvent));
        }

        var occupied = scene.Objects.Select(o => o.Cell).ToHashSet();
        switch (storyEvent)
        {
            case NanoStoryEvent.Appear:
                {
                    var cell = NanoSceneSampler.DistinctCells(random, 1, occupied)[0];
                    return scene.Add(NanoSceneSampler.NewObject(random, cell, scene.Objects));
                }

            case NanoStoryEvent.ChangeBackground:
                {
                    var others = NanoPalette.AllBackgrounds.Where(b => b != scene.Background).ToList();
                    return scene.WithBackground(random.Pick(others));
                }

            default:
                {
                    var target = random.Pick(scene.Objects);
                    NanoObject? replacement = storyEvent switch
                    {
                        NanoStoryEvent.Disappear => null,
                        NanoStoryEvent.Move => target with { Cell = NanoSceneSampler.DistinctCells(random, 1, occupied)[0] },
                        NanoStoryEvent.Recolor => target with
                        {
                            Color = random.Pick(NanoPalette.AllShapeColors.Where(c => c != target.Color).ToList()),
                        },
                        NanoStoryEvent.Resize => target with { Size = target.Size == ShapeSize.Small ? ShapeSize.Big : ShapeSize.Small },
                        _ => throw new ArgumentOutOfRangeException(nameof(storyEvent), storyEvent, "Not a change."),
                    };
                    return scene.Replace(target, replacement);
                }
        }
    }

    private static string? Connective(NanoRandom random, int index, int count)
    {
        if (index == 0)
        {
            return random.Chance(0.5) ? random.Pick(Openers) : null;
        }

        if (!random.Chance(0.8))
        {
            return null;
        }

        return index == count - 1 && random.Chance(0.5) ? "finally" : random.Pick(Connectives);
    }
}
