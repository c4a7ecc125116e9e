using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>The nano LLaMA tokenizer (<see cref="NanoTokenizerBuilder"/>) through our <see cref="LlamaTokenizer"/>.</summary>
public sealed class NanoTokenizerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly LlamaTokenizer _tokenizer;
    private readonly int _baseVocabulary;

    public NanoTokenizerTests()
    {
        var json = NanoTokenizerBuilder.Build(NanoCorpus.VocabularyCorpus(seed: 0, stories: 150, captions: 300));
        _baseVocabulary = NanoTokenizerBuilder.BaseVocabularySize(json);
        var path = _temp.File("tokenizer.json", json.ToJsonString());
        _tokenizer = LlamaTokenizer.LoadMiniGpt5(path);
    }

    public static TheoryData<string> WorldWords()
    {
        var words = new SortedSet<string>(StringComparer.Ordinal) { "background", "and", "on", "the", "at", "in", "left", "right", "top", "bottom", "middle" };
        foreach (var kind in Enum.GetValues<ShapeKind>())
        {
            words.Add(NanoVocabulary.KindNoun(kind, 1));
            words.Add(NanoVocabulary.KindNoun(kind, 2));
        }

        foreach (var color in Enum.GetValues<ShapeColor>())
        {
            words.Add(NanoVocabulary.ColorWord(color));
        }

        foreach (var size in Enum.GetValues<ShapeSize>())
        {
            words.Add(NanoVocabulary.SizeWord(size));
        }

        foreach (var background in Enum.GetValues<BackgroundColor>())
        {
            foreach (var word in NanoVocabulary.BackgroundWord(background).Split(' '))
            {
                words.Add(word);
            }
        }

        foreach (var count in new[] { 1, 2, 3 })
        {
            words.Add(NanoVocabulary.CountWord(count, "big"));
            words.Add(NanoVocabulary.CountWord(count, "orange"));
        }

        var data = new TheoryData<string>();
        foreach (var word in words)
        {
            data.Add(word);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WorldWords))]
    public void Every_world_word_is_one_token_and_round_trips(string word)
    {
        var ids = _tokenizer.Encode(word);
        Assert.Single(ids);
        Assert.Equal("\u2581" + word, _tokenizer.Processor.IdToPiece(ids[0]));
        Assert.Equal(word, _tokenizer.Decode(ids));
    }

    [Fact]
    public void Vokens_and_the_image_slot_follow_the_vocabulary_and_the_stop_word_is_one_piece()
    {
        Assert.Equal(_baseVocabulary + 9, _tokenizer.VocabularySize);
        var ids = _tokenizer.Encode($"{PromptTemplates.AllVokens} ###");
        Assert.Equal(Enumerable.Range(_baseVocabulary, 8), ids[..8]);
        Assert.Equal(["\u2581###"], ids[8..].Select(_tokenizer.Processor.IdToPiece));
        Assert.Equal(_baseVocabulary + 8, _tokenizer.GetTokenId("<ImageHere>"));
        Assert.Equal([_tokenizer.GetTokenId("\u2581###")], Models.Interleaved.MiniGpt5Model.DefaultStopSequences(_tokenizer)[0]);
    }

    [Fact]
    public void Whole_prompts_round_trip_and_unseen_text_falls_back_to_bytes()
    {
        var story = NanoDatasetSampler.Stories(0, NanoSplit.Test).First().Story;
        var prompt = Models.Interleaved.MiniGpt5Prompts.VistImageGeneration(
            story.Steps.Take(2).Select(s => (s.Text, false)), story.Steps[2].Text);
        var ids = _tokenizer.Encode(prompt);
        Assert.Equal(prompt, _tokenizer.Decode(ids));
        // Words are whole tokens: far fewer ids than characters.
        Assert.True(ids.Length * 4 < prompt.Length, $"{ids.Length} ids for {prompt.Length} characters");
        const string Unseen = "Zebra 42 crosses — déjà vu ✓";
        Assert.Equal(Unseen, _tokenizer.Decode(_tokenizer.Encode(Unseen)));
    }

    public void Dispose() => _temp.Dispose();
}
