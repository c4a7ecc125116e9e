namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>One build stage: its FROM and the instructions up to the next FROM.</summary>
/// <param name="Index">0-based stage number.</param>
/// <param name="Name">The <c>AS name</c> alias, or null.</param>
/// <param name="BaseImage">The FROM image as written (may hold <c>${ARG}</c> references).</param>
/// <param name="ResolvedBaseImage">The FROM image with global ARG defaults substituted.</param>
/// <param name="From">The FROM instruction.</param>
/// <param name="Instructions">Instructions after FROM, in order.</param>
internal sealed record DockerStage(
    int Index,
    string? Name,
    string BaseImage,
    string ResolvedBaseImage,
    DockerInstruction From,
    IReadOnlyList<DockerInstruction> Instructions)
{
    /// <summary>Instructions with this keyword, in order.</summary>
    public IEnumerable<DockerInstruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
