namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>A Bicep file the tokenizer or parser cannot read, naming the file and line.</summary>
internal sealed class BicepSyntaxException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
