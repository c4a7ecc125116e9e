namespace MiniGpt5.Functions.Orchestrations;

/// <summary>A blob by container and name, optionally pinned to the ETag it had when it was referenced.</summary>
/// <param name="Container">Container (<c>manuscripts</c>, <c>illustrated</c>, <c>datasets</c>).</param>
/// <param name="Name">Blob name inside the container.</param>
/// <param name="ETag">The ETag to read it at, or null for whatever is there.</param>
public sealed record BlobReference(string Container, string Name, string? ETag = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Container}/{Name}";
}
