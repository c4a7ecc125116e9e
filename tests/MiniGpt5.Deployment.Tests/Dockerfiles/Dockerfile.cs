namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>A parsed Dockerfile: instructions, comments, parser directives, global ARGs and stages.</summary>
internal sealed record Dockerfile(
    string Name,
    IReadOnlyDictionary<string, string> Directives,
    IReadOnlyList<DockerInstruction> Instructions,
    IReadOnlyList<DockerComment> Comments,
    IReadOnlyDictionary<string, string?> GlobalArgs,
    IReadOnlyList<DockerStage> Stages)
{
    /// <summary>The stage that becomes the image (the last one).</summary>
    public DockerStage FinalStage =>
        Stages.Count > 0 ? Stages[^1] : throw new InvalidOperationException($"{Name} has no FROM instruction.");

    /// <summary>Parses a Dockerfile on disk.</summary>
    public static Dockerfile Load(string path) => DockerfileParser.Parse(File.ReadAllText(path), path);
}
