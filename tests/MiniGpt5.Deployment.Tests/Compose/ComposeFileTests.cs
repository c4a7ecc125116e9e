using System.Text.Json;
using System.Text.RegularExpressions;
using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Compose;

/// <summary>infra/compose.yaml stays in step with the rest of the repository.</summary>
public sealed partial class ComposeFileTests
{
    private static readonly string ComposeText = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "infra", "compose.yaml"));

    [Fact]
    public void Azurite_image_is_the_version_the_tests_pin_in_tools_azurite()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "tools", "azurite", "package.json")));
        var pinned = package.RootElement.GetProperty("dependencies").GetProperty("azurite").GetString();

        var image = AzuriteImage().Match(ComposeText);

        Assert.True(image.Success, "compose.yaml has no mcr.microsoft.com/azure-storage/azurite image");
        Assert.Equal(pinned, image.Groups["tag"].Value);
    }

    [Fact]
    public void Services_build_from_the_repository_root_with_the_infra_dockerfiles()
    {
        var dockerfiles = DockerfileLine().Matches(ComposeText).Select(m => m.Groups["file"].Value).ToList();

        Assert.Equal(["infra/Dockerfile.api", "infra/Dockerfile.worker"], dockerfiles);
        Assert.All(dockerfiles, f => Assert.True(File.Exists(Path.Combine(RepoPaths.RepoRoot, f))));
        Assert.Equal(dockerfiles.Count, ContextLine().Count(ComposeText));
    }

    [Fact]
    public void Only_the_published_azurite_key_appears_and_ports_bind_to_localhost()
    {
        foreach (Match key in AccountKey().Matches(ComposeText))
        {
            Assert.Equal("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==", key.Groups["key"].Value);
        }

        Assert.All(PortLine().Matches(ComposeText), m => Assert.StartsWith("127.0.0.1:", m.Groups["port"].Value, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"image:\s*mcr\.microsoft\.com/azure-storage/azurite:(?<tag>[^\s""]+)")]
    private static partial Regex AzuriteImage();

    [GeneratedRegex(@"dockerfile:\s*(?<file>\S+)")]
    private static partial Regex DockerfileLine();

    [GeneratedRegex(@"context:\s*\.\.\s*$", RegexOptions.Multiline)]
    private static partial Regex ContextLine();

    [GeneratedRegex(@"AccountKey=(?<key>[^;""]+)")]
    private static partial Regex AccountKey();

    [GeneratedRegex(@"^\s*-\s*""(?<port>[^""]+:\d+)""\s*$", RegexOptions.Multiline)]
    private static partial Regex PortLine();
}
