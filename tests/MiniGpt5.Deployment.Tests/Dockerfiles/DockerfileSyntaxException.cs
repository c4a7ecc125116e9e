namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>A Dockerfile the parser cannot read, naming the file and line.</summary>
internal sealed class DockerfileSyntaxException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
