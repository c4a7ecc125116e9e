using System.Globalization;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// The nano text, generated from the world without reading files: the text-only VIST examples of stories (as
/// <see cref="VistDataset"/> + <see cref="TextOnlyExamples"/> build them from the written dataset), the
/// pre-training sequences of the nano LLaMA, and the corpus its vocabulary is built from.
/// </summary>
public static class NanoCorpus
{
    /// <summary>
    /// A story's text-only examples, in VistDataset's order and with its templates: "-gen" for every step
    /// (target the vokens), "-multimodal" for steps after the first when training (target "{text} [vokens] ###").
    /// </summary>
    public static IEnumerable<MiniGpt5Example> StoryExamples(NanoStory story, string storyName, TemplateChooser templates, bool training)
    {
        ArgumentNullException.ThrowIfNull(story);
        ArgumentNullException.ThrowIfNull(templates);
        var previous = new List<string>();
        foreach (var step in story.Steps)
        {
            var prompt = previous.Count > 0 ? string.Concat(previous) + "\n" : string.Empty;
            var name = string.Create(CultureInfo.InvariantCulture, $"{storyName}_{step.Index}");
            var generation = PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistGeneration), prompt, step.Text);
            yield return new MiniGpt5Example(generation, $"{PromptTemplates.AllVokens} ###", [], null, null, name + "-gen");
            if (previous.Count > 0 && training)
            {
                var multimodal = PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistMultimodal), prompt);
                yield return new MiniGpt5Example(multimodal, $"{step.Text} {PromptTemplates.AllVokens} ###", [], null, null, name + "-multimodal");
            }

            previous.Add(step.Text);
        }
    }

    /// <summary>
    /// Pre-training pairs (source, target) of a story, one per step: the VIST "next scene" conversation with the step
    /// text as the answer and no vokens (the LLM has not met them yet, as Vicuna had not):
    /// <c>{system}###Human:{story so far} {next-scene question} ###Assistant:</c> → <c>{step} ###</c>.
    /// </summary>
    public static IEnumerable<(string Source, string Target)> PretrainingPairs(NanoStory story, TemplateChooser templates)
    {
        ArgumentNullException.ThrowIfNull(story);
        ArgumentNullException.ThrowIfNull(templates);
        var previous = new List<string>();
        foreach (var step in story.Steps)
        {
            var prompt = previous.Count > 0 ? string.Concat(previous) + "\n" : string.Empty;
            var source = PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, templates.Choose(PromptTemplates.VistMultimodal), prompt);
            yield return (source, $"{step.Text} ###");
            previous.Add(step.Text);
        }
    }

    /// <summary>
    /// Every text the nano model is trained on or prompted with, for the vocabulary: the training split's stories
    /// (all templates) and captions (bare and with every CC3M instruction), and the system prompts.
    /// </summary>
    public static IEnumerable<string> VocabularyCorpus(ulong seed, int stories, int captions)
    {
        yield return PromptTemplates.VistSystemPrompt;
        yield return PromptTemplates.Cc3mSystemPrompt;
        yield return PromptTemplates.MmDialogSystemPrompt;
        yield return $"{PromptTemplates.AllVokens} ###";
        foreach (var template in PromptTemplates.VistGeneration.Concat(PromptTemplates.VistMultimodal))
        {
            yield return string.Format(CultureInfo.InvariantCulture, template, string.Empty, string.Empty);
        }

        foreach (var prompt in PromptTemplates.Cc3mGenerationPrompts)
        {
            yield return $"{PromptTemplates.Cc3mSystemPrompt}###Human: {prompt} ###Assistant:";
        }

        foreach (var sample in NanoDatasetSampler.Captions(seed, NanoSplit.Train).Take(captions))
        {
            yield return CaptionPreprocessor.Preprocess(sample.Caption);
            yield return sample.Caption;
        }

        // Every template for every story, so each way two steps can be glued together is seen.
        foreach (var sample in NanoDatasetSampler.Stories(seed, NanoSplit.Train).Take(stories))
        {
            var previous = string.Empty;
            foreach (var step in sample.Story.Steps)
            {
                var prompt = previous.Length > 0 ? previous + "\n" : string.Empty;
                foreach (var template in PromptTemplates.VistGeneration)
                {
                    yield return PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, template, prompt, step.Text);
                }

                foreach (var template in PromptTemplates.VistMultimodal)
                {
                    yield return PromptTemplates.VistSystemPrompt + string.Format(CultureInfo.InvariantCulture, template, prompt);
                }

                yield return step.Text;
                previous += step.Text;
            }
        }
    }
}
