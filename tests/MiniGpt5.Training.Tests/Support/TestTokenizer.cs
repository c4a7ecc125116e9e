using MiniGpt5.Testing;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Training.Tests.Support;

/// <summary>The repository's LLaMA tokenizer (tests/data/text) with MiniGPT-5's added tokens.</summary>
internal static class TestTokenizer
{
    private static readonly Lazy<LlamaTokenizer> Loaded = new(() =>
        LlamaTokenizer.LoadMiniGpt5(Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "llama-tokenizer.json")));

    public static LlamaTokenizer MiniGpt5 => Loaded.Value;
}
