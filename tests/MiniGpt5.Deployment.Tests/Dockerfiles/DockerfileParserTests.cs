namespace MiniGpt5.Deployment.Tests.Dockerfiles;

public sealed class DockerfileParserTests
{
    [Fact]
    public void Continuations_comments_and_flags_are_read_like_docker()
    {
        const string text = """
            # syntax=docker/dockerfile:1.7
            ARG BASE=mcr.microsoft.com/dotnet/aspnet:10.0
            FROM ${BASE} AS runtime
            # a comment
            RUN --mount=type=cache,target=/root/.cache apt-get update \
                # dropped inside the continuation
                && apt-get install -y --no-install-recommends curl
            CMD ["serve", "--urls", "http://+:8080"]
            """;

        var file = DockerfileParser.Parse(text, "test");

        Assert.Equal("docker/dockerfile:1.7", file.Directives["syntax"]);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", file.GlobalArgs["BASE"]);
        var stage = Assert.Single(file.Stages);
        Assert.Equal("runtime", stage.Name);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", stage.ResolvedBaseImage);
        var run = stage.All("RUN").Single();
        Assert.Equal(5, run.Line);
        Assert.Equal("type=cache,target=/root/.cache", run.Flag("mount"));
        Assert.Equal("apt-get update && apt-get install -y --no-install-recommends curl", Squeeze(run.Body));
        Assert.Equal(["serve", "--urls", "http://+:8080"], stage.All("CMD").Single().JsonArguments);
        Assert.Contains(file.Comments, c => c.Text == "dropped inside the continuation" && c.Line == 6);
    }

    [Fact]
    public void Env_pairs_honour_quotes_escapes_and_the_legacy_form()
    {
        Assert.Equal(
            [new("A", "1"), new("B", "two words"), new("C", "x y")],
            DockerfileParser.SplitEnv("A=1 B=\"two words\" C=x\\ y"));
        Assert.Equal([new("LEGACY", "value with spaces")], DockerfileParser.SplitEnv("LEGACY value with spaces"));
    }

    [Fact]
    public void Variables_expand_with_defaults_and_unknown_ones_stay_visible()
    {
        var values = new Dictionary<string, string?> { ["TAG"] = "10.0", ["EMPTY"] = "" };

        Assert.Equal("sdk:10.0", DockerVariables.Expand("sdk:${TAG}", values));
        Assert.Equal("sdk:10.0", DockerVariables.Expand("sdk:$TAG", values));
        Assert.Equal("sdk:9.0", DockerVariables.Expand("sdk:${EMPTY:-9.0}", values));
        Assert.Equal("sdk:${MISSING}", DockerVariables.Expand("sdk:${MISSING}", values));
        Assert.Equal("cost $5", DockerVariables.Expand("cost \\$5", values));
    }

    [Fact]
    public void Heredocs_unknown_instructions_and_dangling_continuations_are_refused_with_the_line()
    {
        var heredoc = Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse("FROM a:1\nRUN <<EOF\necho\nEOF\n", "h"));
        Assert.Equal(2, heredoc.Line);
        var unknown = Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse("FROM a:1\nFETCH x\n", "u"));
        Assert.Contains("FETCH", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse("FROM a:1\nRUN echo \\\n", "d"));
        Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse("RUN echo\nFROM a:1\n", "r"));
    }

    [Fact]
    public void Escape_directive_switches_the_continuation_character()
    {
        var file = DockerfileParser.Parse("# escape=`\nFROM a:1\nRUN echo one `\n    two\n", "w");

        Assert.Equal("echo one two", Squeeze(file.FinalStage.All("RUN").Single().Body));
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
