using System.Text.Json.Nodes;
using MiniGpt5.Cli.Tests.Commands.Generate;

namespace MiniGpt5.Cli.Tests.Commands.Bench;

/// <summary>
/// `minigpt5 bench unet --small` on an 8×8 latent: seconds and peak memory per component as BenchResult JSON when
/// the PyTorch anchor runs (Debian's torch on /usr/bin/python3), and an explicit "anchor unavailable/skipped" note
/// with our numbers only when it does not.
/// </summary>
public sealed class BenchUnetCommandTests
{
    [Fact]
    public async Task The_small_config_prints_time_and_peak_memory_for_unet_and_vae()
    {
        var (code, stdout, stderr) = await GenerateCommandTests.RunAsync("bench", "unet", "--small", "--latent", "8", "--repeats", "1", "--threads", "1", "--json");

        Assert.True(code == 0, stderr);
        Assert.Contains("unet: ours", stderr, StringComparison.Ordinal);
        Assert.Contains("vae: ours", stderr, StringComparison.Ordinal);
        var cases = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        if (stderr.Contains("PyTorch anchor unavailable", StringComparison.Ordinal))
        {
            Assert.Empty(cases);
            return;
        }

        Assert.Equal(
            ["unet/guided step/batch 2/8x8", "unet/peak resident set", "vae/decode/8x8 -> 64x64", "vae/peak resident set"],
            cases.Select(c => c["name"]!.GetValue<string>()));
        foreach (var result in cases)
        {
            var ours = result["ours"]!.GetValue<double>();
            var anchor = result["anchor"]!["value"]!.GetValue<double>();
            Assert.True(ours > 0 && anchor > 0, result.ToJsonString());
            Assert.Equal(anchor / ours, result["ratio"]!.GetValue<double>(), 1e-9);     // lower is better: PyTorch / ours
        }

        // Same weights and inputs on both sides: the outputs must agree, or the timing compares different work.
        foreach (var line in stderr.Split('\n').Where(l => l.Contains("relative L2", StringComparison.Ordinal)))
        {
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..].TrimEnd('.'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(value < 1e-4, line);
        }
    }

    [Fact]
    public async Task Without_torch_our_numbers_are_notes_and_no_case_is_invented()
    {
        var (code, stdout, stderr) = await GenerateCommandTests.RunAsync("bench", "unet", "--small", "--latent", "8", "--repeats", "1", "--only", "vae", "--no-torch", "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("PyTorch anchor skipped", stderr, StringComparison.Ordinal);
        Assert.Contains("(no anchor)", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.Trim());
    }
}
