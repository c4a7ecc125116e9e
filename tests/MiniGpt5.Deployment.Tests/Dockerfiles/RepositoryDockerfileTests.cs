using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>The rules applied to the Dockerfiles we ship, plus what each image must specifically do.</summary>
public sealed class RepositoryDockerfileTests
{
    private static readonly string ApiPath = Path.Combine(RepoPaths.RepoRoot, "infra", "Dockerfile.api");
    private static readonly string WorkerPath = Path.Combine(RepoPaths.RepoRoot, "infra", "Dockerfile.worker");

    [Theory]
    [InlineData("Dockerfile.api")]
    [InlineData("Dockerfile.worker")]
    public void Shipped_dockerfiles_keep_every_rule(string name)
    {
        var file = Dockerfile.Load(Path.Combine(RepoPaths.RepoRoot, "infra", name));

        var violations = DockerfileRules.All(file).ToList();

        Assert.True(violations.Count == 0, $"{name}:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Api_image_is_aspnet_runtime_with_a_healthcheck_on_the_exposed_port()
    {
        var stage = Dockerfile.Load(ApiPath).FinalStage;

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stage.ResolvedBaseImage, StringComparison.Ordinal);
        var healthcheck = stage.All("HEALTHCHECK").Single();
        var exposed = stage.All("EXPOSE").Single().Words.Single();
        Assert.Contains(exposed, healthcheck.Body, StringComparison.Ordinal);
        Assert.Contains("/healthz", healthcheck.Body, StringComparison.Ordinal);
        Assert.Equal(["/app/minigpt5"], stage.All("ENTRYPOINT").Single().JsonArguments);
        Assert.Equal(["serve"], stage.All("CMD").Single().JsonArguments);
    }

    [Fact]
    public void Worker_image_is_cuda_runtime_with_a_self_contained_app_and_a_cuda_library_check()
    {
        var file = Dockerfile.Load(WorkerPath);
        var runtime = file.FinalStage;
        var build = file.Stages.Single(s => s.Name == "build");

        Assert.Matches(@"^nvidia/cuda:12\.\d+\.\d+-runtime-ubuntu24\.04@sha256:[0-9a-f]{64}$", runtime.ResolvedBaseImage);
        var publish = build.All("RUN").Single(r => r.Body.Contains("dotnet publish", StringComparison.Ordinal)).Body;
        Assert.Contains("--self-contained", publish, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64", publish, StringComparison.Ordinal);
        Assert.Contains(runtime.All("RUN"), r => r.Body.Contains("libcublasLt", StringComparison.Ordinal) && r.Body.Contains("libnvrtc", StringComparison.Ordinal));
        Assert.Equal(["worker", "--task-queue", "gpu"], runtime.All("CMD").Single().JsonArguments);
        Assert.Empty(runtime.All("EXPOSE"));
    }

    [Fact]
    public void Images_copy_only_what_the_dockerignore_keeps()
    {
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        foreach (var path in new[] { ApiPath, WorkerPath })
        {
            foreach (var copy in Dockerfile.Load(path).Instructions.Where(i => i.Keyword == "COPY" && i.Flag("from") is null))
            {
                foreach (var source in copy.Words.SkipLast(1))
                {
                    Assert.True(File.Exists(Path.Combine(RepoPaths.RepoRoot, source)) || Directory.Exists(Path.Combine(RepoPaths.RepoRoot, source)), $"{path}:{copy.Line}: COPY source '{source}' does not exist");
                    Assert.DoesNotContain(ignore, pattern => source.TrimEnd('/').Equals(pattern.TrimEnd('/'), StringComparison.Ordinal) || source.StartsWith(pattern, StringComparison.Ordinal));
                }
            }
        }
    }

    [Theory]
    [InlineData("Dockerfile.api")]
    [InlineData("Dockerfile.worker")]
    public void Build_stage_copies_every_build_input_at_the_repository_root(string name)
    {
        // A Directory.Build.targets or NuGet.config added later changes the build; the image must see it too.
        var inputs = Directory.EnumerateFiles(RepoPaths.RepoRoot)
            .Select(Path.GetFileName)
            .Where(f => f is "global.json" or ".editorconfig"
                || f!.StartsWith("Directory.", StringComparison.Ordinal)
                || f.Equals("NuGet.config", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var build = Dockerfile.Load(Path.Combine(RepoPaths.RepoRoot, "infra", name)).Stages.Single(s => s.Name == "build");
        var copied = build.All("COPY").SelectMany(c => c.Words.SkipLast(1)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(inputs);
        Assert.All(inputs, input => Assert.True(copied.Contains(input!), $"{name}: the build stage does not COPY {input}"));
        Assert.Contains("src/", copied);
    }
}
