namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>
/// One Dockerfile instruction after line continuations are joined and comment lines inside it dropped.
/// </summary>
/// <param name="Keyword">Upper-cased instruction (FROM, RUN, ...).</param>
/// <param name="Flags">Leading <c>--name=value</c> options (<c>--from=build</c>, <c>--mount=...</c>), in order.</param>
/// <param name="Body">Everything after the flags; continuation lines are appended as written.</param>
/// <param name="JsonArguments">The exec-form array when <see cref="Body"/> is a JSON array of strings, else null.</param>
/// <param name="Line">1-based line the instruction starts on.</param>
internal sealed record DockerInstruction(
    string Keyword,
    IReadOnlyList<string> Flags,
    string Body,
    IReadOnlyList<string>? JsonArguments,
    int Line)
{
    /// <summary>The value of flag <c>--name</c>, or null when absent.</summary>
    public string? Flag(string name)
    {
        var prefix = "--" + name + "=";
        foreach (var flag in Flags)
        {
            if (flag.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return flag[prefix.Length..];
            }
        }

        return null;
    }

    /// <summary>Exec-form arguments, or the shell-form body split on whitespace.</summary>
    public IReadOnlyList<string> Words =>
        JsonArguments ?? Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"line {Line}: {Keyword} {Body}";
}
