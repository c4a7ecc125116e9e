namespace MiniGpt5.Deployment.Tests.Scripts;

/// <summary>A test that runs one of the infra/ shell scripts; skipped where bash is not installed.</summary>
public sealed class BashFactAttribute : FactAttribute
{
    public BashFactAttribute()
    {
        if (ScriptRunner.Bash is null)
        {
            Skip = "Needs bash (the infra/ scripts are bash scripts); none found on PATH.";
        }
    }
}
