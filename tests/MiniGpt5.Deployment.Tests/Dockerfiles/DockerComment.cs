namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>A <c>#</c> comment line (parser directives excluded), without the leading <c>#</c>.</summary>
internal sealed record DockerComment(string Text, int Line);
