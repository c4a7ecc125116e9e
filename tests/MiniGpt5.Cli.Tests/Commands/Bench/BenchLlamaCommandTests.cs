using System.Text.Json.Nodes;
using MiniGpt5.Cli.Tests.Commands.Generate;

namespace MiniGpt5.Cli.Tests.Commands.Bench;

/// <summary>
/// `minigpt5 bench llama` on a tiny config (2 layers, hidden 128): every case is one BenchResult JSON object with a
/// positive measurement. The PyTorch anchor runs when /usr/bin/python3 has torch; where it does not, the command must
/// say that the anchor is missing and print no torch case, never a made-up one.
/// </summary>
public sealed class BenchLlamaCommandTests
{
    [Fact]
    public async Task A_tiny_config_prints_prefill_decode_and_ceiling_cases_as_json()
    {
        var (code, stdout, stderr) = await GenerateCommandTests.RunAsync(
            "bench", "llama", "--layers", "2", "--hidden", "128", "--vocab", "300", "--prompt-tokens", "8", "--new-tokens", "4",
            "--repeats", "1", "--bandwidth-mb", "16", "--threads", "1", "--json");

        Assert.True(code == 0, stderr);
        var cases = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToDictionary(c => c["name"]!.GetValue<string>());
        foreach (var result in cases.Values)
        {
            Assert.Equal(["name", "unit", "ours", "anchor", "ratio"], result.Select(p => p.Key));
            Assert.Equal("tok/s", result["unit"]!.GetValue<string>());
            var ours = result["ours"]!.GetValue<double>();
            var anchor = result["anchor"]!["value"]!.GetValue<double>();
            Assert.True(ours > 0 && anchor > 0, result.ToJsonString());
            Assert.Equal(ours / anchor, result["ratio"]!.GetValue<double>(), 1e-9);
        }

        Assert.StartsWith("memory-bandwidth ceiling", cases["llama/decode vs bandwidth ceiling"]["anchor"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        if (stderr.Contains("PyTorch anchor unavailable", StringComparison.Ordinal))
        {
            Assert.Single(cases);
        }
        else
        {
            Assert.Equal(3, cases.Count);
            Assert.StartsWith("PyTorch", cases["llama/decode"]["anchor"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.StartsWith("PyTorch", cases["llama/prefill/8 tokens"]["anchor"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Skipping_torch_says_so_and_keeps_the_ceiling_case()
    {
        var (code, stdout, stderr) = await GenerateCommandTests.RunAsync(
            "bench", "llama", "--layers", "1", "--hidden", "64", "--vocab", "100", "--prompt-tokens", "4", "--new-tokens", "2",
            "--repeats", "1", "--bandwidth-mb", "8", "--no-torch", "--json");

        Assert.True(code == 0, stderr);
        Assert.Contains("PyTorch anchor skipped", stderr, StringComparison.Ordinal);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("llama/decode vs bandwidth ceiling", JsonNode.Parse(line)!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_hidden_size_that_is_not_a_multiple_of_64_exits_with_2()
    {
        var (code, _, stderr) = await GenerateCommandTests.RunAsync("bench", "llama", "--hidden", "100", "--no-torch");
        Assert.Equal(2, code);
        Assert.Contains("--hidden", stderr, StringComparison.Ordinal);
    }
}
