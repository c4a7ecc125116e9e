namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>Tests that change process environment variables; xunit runs this collection alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
