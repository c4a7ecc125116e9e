namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// A value only known at deployment time (a resource property, a module output, uniqueString()).
/// Evaluation carries it through instead of guessing.
/// </summary>
internal sealed record BicepUnknown(string What)
{
    public override string ToString() => $"<{What}>";
}
