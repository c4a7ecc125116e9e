using MiniGpt5.Tensors;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Data;

/// <summary>Sample construction (§3.2) and collation: ids, labels with the voken mask, padding, images.</summary>
public sealed class SampleConstructionTests
{
    private const string Vokens = "[IMG0][IMG1][IMG2][IMG3][IMG4][IMG5][IMG6][IMG7]";

    [Fact]
    public void Labels_ignore_the_source_and_vokens_one_to_six()
    {
        var tokenizer = TestTokenizer.MiniGpt5;
        var img0 = tokenizer.GetTokenId("[IMG0]");
        Assert.Equal(32000, img0);
        var sampler = new SampleTokenizer(tokenizer, img0);
        var example = new MiniGpt5Example("a dog on the grass", $"it runs {Vokens} ###", [null], "x.jpg", null, "t");
        var sample = sampler.Tokenize(example);
        var source = tokenizer.Encode(example.Source);
        var target = tokenizer.Encode(example.Target);
        Assert.Equal(source.Concat(target), sample.InputIds);
        // "[IMG7] ###": the special token strips the space around it, so "###" is tokenised alone (with the dummy prefix).
        Assert.Equal(tokenizer.Encode("###"), target[^1..]);
        Assert.Equal(32007, target[^2]);
        var expected = Enumerable.Repeat(-100, source.Length).Concat(target).ToArray();
        var first = Array.IndexOf(expected, 32000);
        for (var i = first + 1; i <= first + 6; i++)
        {
            expected[i] = -100;
        }

        Assert.Equal(expected, sample.Labels);
        Assert.Equal(32000, sample.Labels[first]);
        Assert.Equal(32007, sample.Labels[first + 7]);
    }

    [Fact]
    public async Task Collator_pads_right_and_loads_images_with_seeded_flips()
    {
        using var folder = new TempFolder();
        var wide = folder.Image("wide.png", 8, 4, 255, 0, 0);
        var tokenizer = TestTokenizer.MiniGpt5;
        var sampler = new SampleTokenizer(tokenizer, tokenizer.GetTokenId("[IMG0]"));
        var a = sampler.Tokenize(new MiniGpt5Example("short", Vokens + " ###", [null], wide, "c", "a"));
        var b = sampler.Tokenize(new MiniGpt5Example("a much longer prompt than the other one", "text only ###", [wide, wide], null, null, "b"));
        var collator = new MiniGpt5Collator(new ImagePreprocessing(InputSize: 6, OutputSize: 8, RandomFlip: true));
        using var batch = await collator.CollateAsync([a, b], [11, 12], CancellationToken.None);
        var length = b.InputIds.Length;
        Assert.Equal([2, length], batch.InputIds.ShapeArray());
        var ids = batch.InputIds.ToArray<long>();
        var labels = batch.Labels.ToArray<long>();
        var mask = batch.AttentionMask.ToArray<long>();
        for (var t = a.InputIds.Length; t < length; t++)
        {
            Assert.Equal(2, ids[t]);
            Assert.Equal(-100, labels[t]);
            Assert.Equal(0, mask[t]);
        }

        Assert.All(mask.Skip(length), m => Assert.Equal(1, m));
        Assert.Equal([1, 3, 6, 6], batch.InputImages[0].ShapeArray());
        Assert.Equal([2, 3, 6, 6], batch.InputImages[1].ShapeArray());
        Assert.Equal([2, 3, 8, 8], batch.OutputImages.ShapeArray());

        // Target: the 8x4 red image is padded with white to 8x8: red rows in the middle, white (1.0) above and below.
        var output = batch.OutputImages.ToFloatArray();
        Assert.Equal(1f, output[0]);
        Assert.Equal(1f, output[(3 * 8) + 0]);
        Assert.Equal(-1f, output[(1 * 64) + (3 * 8)]);
        // No target image: zeros.
        Assert.All(output.Skip(3 * 64), v => Assert.Equal(0f, v));
        // The placeholder input is the black image, CLIP-normalised.
        Assert.Equal(-0.48145466f / 0.26862954f, batch.InputImages[0].ToFloatArray()[0], 5);

        using var again = await collator.CollateAsync([a, b], [11, 12], CancellationToken.None);
        Assert.Equal(batch.InputImages[1].ToFloatArray(), again.InputImages[1].ToFloatArray());
    }

    [Fact]
    public void Epoch_orders_are_permutations_that_depend_only_on_seed_and_epoch()
    {
        var sampler = new EpochSampler(10, 3, shuffle: true, seed: 5);
        Assert.Equal(4, sampler.BatchesPerEpoch);
        var epoch0 = sampler.Order(0);
        Assert.Equal(Enumerable.Range(0, 10), epoch0.Order());
        Assert.NotEqual(epoch0, sampler.Order(1));
        Assert.Equal(epoch0, new EpochSampler(10, 3, true, 5).Order(0));
        Assert.Equal(epoch0[9..], sampler.Batch(3));
        Assert.Equal(sampler.Order(1)[..3], sampler.Batch(4));
        Assert.Equal(Enumerable.Range(0, 10), new EpochSampler(10, 3, false, 5).Order(7));
    }
}
