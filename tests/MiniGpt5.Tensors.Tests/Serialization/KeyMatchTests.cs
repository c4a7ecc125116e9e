using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Tensors.Tests.Serialization;

public sealed class KeyMatchTests
{
    private static CheckpointSet Sharded() => CheckpointSet.Open(Golden.PathOf("hf_sharded"));

    private static List<ExpectedTensor> ModelKeys() =>
    [
        new("model.embed_tokens.weight", [6, 4]),
        new("model.layers.0.self_attn.q_proj.weight", [4, 4]),
        new("model.norm.weight", [4]),
        new("lm_head.weight", [6, 4]),
    ];

    [Fact]
    public void Exact_match_passes_once_rotary_buffers_are_ignored()
    {
        using var set = Sharded();

        var strict = set.Match(ModelKeys());
        Assert.False(strict.IsMatch);
        Assert.Equal(["model.layers.0.self_attn.rotary_emb.inv_freq"], strict.Unexpected);

        var report = set.EnsureMatch(ModelKeys(), new KeyMatchOptions { IgnoredPatterns = ["*.rotary_emb.inv_freq"] });
        Assert.True(report.IsMatch);
        Assert.Equal(["model.layers.0.self_attn.rotary_emb.inv_freq"], report.Ignored);
    }

    [Fact]
    public void Missing_unexpected_and_misshapen_keys_are_reported_together()
    {
        using var set = Sharded();
        var expected = ModelKeys();
        expected[0] = new("model.embed_tokens.weight", [7, 4]);
        expected.Add(new("model.layers.1.mlp.up_proj.weight", [8, 4]));
        expected.RemoveAll(e => e.Name == "lm_head.weight");

        var error = Assert.Throws<CheckpointKeyMismatchException>(() => set.EnsureMatch(expected));

        Assert.Equal(["model.layers.1.mlp.up_proj.weight"], error.Report.Missing);
        Assert.Equal(["model.layers.0.self_attn.rotary_emb.inv_freq", "lm_head.weight"], error.Report.Unexpected);
        var mismatch = Assert.Single(error.Report.ShapeMismatches);
        Assert.Equal("model.embed_tokens.weight", mismatch.Name);
        Assert.Contains("1 missing, 2 unexpected, 1 with a different shape", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.layers.1.mlp.up_proj.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("lm_head.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.embed_tokens.weight: checkpoint [6, 4] vs model [7, 4]", error.Message, StringComparison.Ordinal);
        Assert.Contains("pytorch_model.bin.index.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_lists_are_capped_in_the_message_but_complete_in_the_report()
    {
        using var set = Sharded();
        var expected = Enumerable.Range(0, 100).Select(i => new ExpectedTensor($"blocks.{i}.attn.qkv.weight", [4224, 1408])).ToList();

        var error = Assert.Throws<CheckpointKeyMismatchException>(() => set.EnsureMatch(expected, new KeyMatchOptions { MaxNamesListed = 5 }));

        Assert.Equal(100, error.Report.Missing.Count);
        Assert.Contains("blocks.4.attn.qkv.weight, ... and 95 more", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("blocks.5.attn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefixes_and_patterns_ignore_keys_on_both_sides()
    {
        using var set = Sharded();
        var expected = ModelKeys();
        // EVA-style: the model declares blocks the checkpoint lacks; BLIP-2 style: text-only heads in the file.
        expected.Add(new("blocks.39.norm1.weight", [1408]));
        var options = new KeyMatchOptions
        {
            IgnoredPrefixes = ["blocks.39.", "lm_head."],
            IgnoredPatterns = ["model.layers.*.rotary_emb.*"],
        };

        var report = set.EnsureMatch(expected.Where(e => e.Name != "lm_head.weight"), options);

        Assert.True(report.IsMatch);
        Assert.Equal(["blocks.39.norm1.weight", "model.layers.0.self_attn.rotary_emb.inv_freq", "lm_head.weight"], report.Ignored);
    }

    [Fact]
    public void Patterns_are_globs_not_regular_expressions()
    {
        using var set = Sharded();
        // '.' in a pattern is a literal dot: "model.norm?weight" must not match "model.norm.weight".
        var report = set.Match([], new KeyMatchOptions { IgnoredPatterns = ["model.norm?weight", "lm_head(.*)"] });
        Assert.Contains("model.norm.weight", report.Unexpected);
        Assert.Contains("lm_head.weight", report.Unexpected);
    }

    [Fact]
    public void A_model_that_declares_a_key_twice_is_a_programming_error()
    {
        using var set = Sharded();
        Assert.Throws<ArgumentException>(() => set.Match([new("a", [1]), new("a", [1])]));
    }
}
