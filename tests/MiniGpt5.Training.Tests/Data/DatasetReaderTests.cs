using MiniGpt5.Training.Data;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Data;

/// <summary>The three readers produce exactly the release's sources, targets and image lists (MODEL_SPEC §1.3, §3.1).</summary>
public sealed class DatasetReaderTests
{
    private const string Vokens = "[IMG0][IMG1][IMG2][IMG3][IMG4][IMG5][IMG6][IMG7]";

    [Theory]
    [InlineData("Burning candle on the background of the aquarium with small fish .", "burning candle on the background of the aquarium with small fish")]
    [InlineData("  A \"quoted\" (thing): yes!!  ", "a quoted thing yes")]
    [InlineData("tab\tstays;  two~spaces", "tab\tstays two spaces")]
    [InlineData("ÉCOLE*#", "école")]
    public void Captions_are_preprocessed_like_pre_caption(string raw, string expected) =>
        Assert.Equal(expected, CaptionPreprocessor.Preprocess(raw));

    [Fact]
    public async Task Cc3m_rows_give_caption_samples_and_an_instruction_variant_every_100th_row()
    {
        using var folder = new TempFolder();
        var rows = string.Join("\n", Enumerable.Range(0, 102).Select(i => $"val/{i:D9}.jpg\tCaption number {i}."));
        var tsv = folder.File("cc3m_val.tsv", "image_path\tcaption\n" + rows + "\n\nval/x.jpg\t\"a \"\"quoted\"\" caption\"\n");
        var training = await Cc3mDataset.LoadAsync(tsv, folder.Path, training: true, new TemplateChooser(1));
        Assert.Equal(103 + 2, training.Count);
        var first = training[0];
        Assert.Equal(("caption number 0", Vokens + " ###", "caption number 0", "cc3m_0"), (first.Source, first.Target, first.Caption, first.TaskName));
        Assert.Equal([null], first.InputImagePaths);
        Assert.Equal(Path.Combine(folder.Path, "val/000000000.jpg"), first.OutputImagePath);
        var instruction = training[1];
        Assert.Equal("cc3m_0_instruction", instruction.TaskName);
        Assert.StartsWith("You will be able to generate image according to command.###Human: ", instruction.Source, StringComparison.Ordinal);
        Assert.EndsWith(" caption number 0 ###Assistant:", instruction.Source, StringComparison.Ordinal);
        Assert.Contains(PromptTemplates.Cc3mGenerationPrompts, p => instruction.Source.Contains($"###Human: {p} caption number 0", StringComparison.Ordinal));
        Assert.Equal("cc3m_100_instruction", training.Single(e => e.TaskName.EndsWith("_instruction", StringComparison.Ordinal) && e.TaskName != "cc3m_0_instruction").TaskName);
        Assert.Equal("a quoted caption", training[^1].Caption);

        var evaluation = await Cc3mDataset.LoadAsync(tsv, folder.Path, training: false, new TemplateChooser(1));
        Assert.Equal(103, evaluation.Count);
        Assert.DoesNotContain(evaluation, e => e.TaskName.EndsWith("_instruction", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cc3m_without_the_columns_or_with_an_empty_caption_is_refused_with_the_line()
    {
        using var folder = new TempFolder();
        var noHeader = folder.File("a.tsv", "text\tpath\nx\ty\n");
        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Cc3mDataset.LoadAsync(noHeader, folder.Path, true, new TemplateChooser(1)));
        Assert.Contains("'caption' and 'image_path'", error.Message, StringComparison.Ordinal);
        var empty = folder.File("b.tsv", "caption\timage_path\nok\tval/1.jpg\n\tval/2.jpg\n");
        error = await Assert.ThrowsAsync<DatasetFormatException>(() => Cc3mDataset.LoadAsync(empty, folder.Path, true, new TemplateChooser(1)));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vist_stories_give_generation_multimodal_and_understanding_samples()
    {
        using var folder = new TempFolder();
        var stories = folder.File("val_cleaned.json", """
            {"40470": [
              {"caption": "my sister arrived early .", "image_id": "693397887", "sequence_index": 0},
              {"caption": "every one else arrived soon after .", "image_id": "695160730", "sequence_index": 1},
              {"caption": "dad manned the grill .", "image_id": "694227508", "sequence_index": 2}]}
            """);
        folder.File("val_image_mapping.json", """{"693397887": "val_images/5.jpg", "695160730": "val_images/7.jpg", "694227508": "val_images/3.jpg"}""");
        var examples = await VistDataset.LoadAsync(stories, folder.Path, training: true, new TemplateChooser(3));
        Assert.Equal(["40470_0-gen", "40470_1-gen", "40470_1-multimodal", "40470_1-understanding", "40470_2-gen", "40470_2-multimodal", "40470_2-understanding"],
            examples.Select(e => e.TaskName));
        string Image(string name) => Path.Combine(folder.Path, "val_images", name);

        var first = examples[0];
        Assert.Contains(first.Source, new[]
        {
            PromptTemplates.VistSystemPrompt + "###Human: Generate an image with the scene description: my sister arrived early . ###Assistant:",
            PromptTemplates.VistSystemPrompt + "###Human: the scene description: my sister arrived early . ###Assistant:",
        });
        Assert.Equal(Vokens + " ###", first.Target);
        Assert.Equal([null], first.InputImagePaths);
        Assert.Equal(Image("5.jpg"), first.OutputImagePath);

        var history = "my sister arrived early .<Img><ImageHere></Img>every one else arrived soon after .<Img><ImageHere></Img>\n";
        var multimodal = examples[5];
        Assert.Contains(multimodal.Source, PromptTemplates.VistMultimodal.Select(t => PromptTemplates.VistSystemPrompt + string.Format(System.Globalization.CultureInfo.InvariantCulture, t, history)));
        Assert.Equal("dad manned the grill . " + Vokens + " ###", multimodal.Target);
        Assert.Equal([Image("5.jpg"), Image("7.jpg")], multimodal.InputImagePaths);
        var understanding = examples[6];
        Assert.EndsWith("<Img><ImageHere></Img> ###Assistant:", understanding.Source, StringComparison.Ordinal);
        Assert.Equal("dad manned the grill . ###", understanding.Target);
        Assert.Equal([Image("5.jpg"), Image("7.jpg"), Image("3.jpg")], understanding.InputImagePaths);
        Assert.Null(understanding.OutputImagePath);

        var test = await VistDataset.LoadAsync(stories, folder.Path, training: false, new TemplateChooser(3));
        Assert.All(test, e => Assert.EndsWith("-gen", e.TaskName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MmDialog_keeps_about_two_exchanges_of_history_and_stops_at_bad_turns()
    {
        using var folder = new TempFolder();
        folder.Image("test/111.jpg", 4, 4, 255, 0, 0);
        folder.Image("test/222.jpg", 4, 4, 0, 255, 0);
        var line = """
            {"conversation_id": 7, "conversation": [
              {"turn": [{"__TEXT__": "u0"}, {"__MEDIA__": "111"}]},
              {"turn": [{"__TEXT__": "a1"}]},
              {"turn": [{"__TEXT__": "u2"}]},
              {"turn": [{"__TEXT__": "a3"}, {"__MEDIA__": "222"}]},
              {"turn": [{"__TEXT__": "u4"}]},
              {"turn": [{"__TEXT__": "a5"}, {"__MEDIA__": "333"}]},
              {"turn": [{"__TEXT__": "never"}]}], "negative_candidate_media_keys": []}
            """.ReplaceLineEndings(" ");
        var path = folder.File("test/test_conversations.txt", line + "\n" + """{"conversation_id": 8, "conversation": [{"turn": [{"__TEXT__": "alone"}]}]}""" + "\n");
        var examples = await MmDialogDataset.LoadAsync(path, training: false, tokenizer: null);
        var system = PromptTemplates.MmDialogSystemPrompt;
        var image1 = Path.Combine(folder.Path, "test", "111.jpg");
        var image2 = Path.Combine(folder.Path, "test", "222.jpg");
        Assert.Equal(["7_1-mm", "7_2-mm", "7_3-mm", "7_4-mm"], examples.Select(e => e.TaskName));
        Assert.Equal($"{system} ###Human: u0 <Img><ImageHere></Img> ###Assistant:", examples[0].Source);
        Assert.Equal("a1 ###", examples[0].Target);
        Assert.Equal([image1], examples[0].InputImagePaths);
        Assert.Equal($"{system} ###Human: u0 <Img><ImageHere></Img> ###Assistant: a1 ###Human:", examples[1].Source);
        Assert.Equal($"a3 {Vokens} ###", examples[2].Target);
        Assert.Equal(image2, examples[2].OutputImagePath);
        // After the second user turn (u2) is answered, the history restarts at u2.
        Assert.Equal($"{system} ###Human: u2 ###Assistant: a3 <Img><ImageHere></Img> ###Human:", examples[3].Source);
        Assert.Equal([image2], examples[3].InputImagePaths);
    }

    [Fact]
    public async Task MmDialog_training_drops_turns_over_50_tokens()
    {
        using var folder = new TempFolder();
        var longText = string.Join(' ', Enumerable.Repeat("word", 60));
        var path = folder.File("train.txt", $$"""{"conversation_id": "c", "conversation": [{"turn": [{"__TEXT__": "hi"}]}, {"turn": [{"__TEXT__": "hello"}]}, {"turn": [{"__TEXT__": "{{longText}}"}]}]}""" + "\n");
        var tokenizer = TestTokenizer.MiniGpt5;
        var examples = await MmDialogDataset.LoadAsync(path, training: true, tokenizer);
        Assert.Single(examples);
        var all = await MmDialogDataset.LoadAsync(path, training: false, tokenizer: null);
        Assert.Equal(2, all.Count);
    }
}
