namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>One broken rule, with the line to look at.</summary>
internal sealed record DockerRuleViolation(string Rule, int Line, string Message)
{
    public override string ToString() => $"[{Rule}] line {Line}: {Message}";
}
