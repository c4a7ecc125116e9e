namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>Each rule on a file that breaks it and on the smallest file that keeps it.</summary>
public sealed class DockerfileRulesTests
{
    private const string Compliant = """
        FROM mcr.microsoft.com/dotnet/aspnet:10.0
        ENV ASPNETCORE_URLS=http://+:8080
        EXPOSE 8080
        USER 1654
        HEALTHCHECK CMD ["http-probe", "8080", "/healthz"]
        ENTRYPOINT ["/app/minigpt5"]
        """;

    [Fact]
    public void The_compliant_sample_passes_every_rule() =>
        Assert.Empty(DockerfileRules.All(Parse(Compliant)));

    [Theory]
    [InlineData("FROM ubuntu", "no tag")]
    [InlineData("FROM ubuntu:latest", "latest")]
    [InlineData("FROM registry.example.com:5000/ubuntu", "no tag")]
    [InlineData("ARG IMAGE\nFROM ${IMAGE}", "build argument")]
    public void Unpinned_base_images_are_caught(string from, string expected)
    {
        var violation = Assert.Single(DockerfileRules.BaseImagesArePinned(Parse(from + "\nUSER 1\nCMD x")));
        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM ubuntu:24.04")]
    [InlineData("FROM ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("FROM registry.example.com:5000/ubuntu:24.04")]
    [InlineData("FROM ubuntu:24.04 AS build\nFROM build")]
    [InlineData("ARG V=24.04\nFROM ubuntu:${V}")]
    public void Pinned_base_images_and_stage_references_pass(string from) =>
        Assert.Empty(DockerfileRules.BaseImagesArePinned(Parse(from)));

    [Theory]
    [InlineData("FROM a:1\nCMD x", "never sets USER")]
    [InlineData("FROM a:1\nUSER root\nCMD x", "as root")]
    [InlineData("FROM a:1\nUSER 0:0\nCMD x", "as root")]
    [InlineData("FROM a:1\nUSER 1000\nUSER root\nCMD x", "as root")]
    [InlineData("FROM a:1\nCMD x\nUSER 1000", "before the final USER")]
    [InlineData("FROM a:1\nUSER $APP_UID\nCMD x", "variable")]
    [InlineData("FROM a:1 AS build\nUSER 1000\nFROM a:1\nCMD x", "never sets USER")]
    public void Root_or_late_users_are_caught(string text, string expected)
    {
        var violation = Assert.Single(DockerfileRules.RunsAsNonRootUser(Parse(text)));
        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ADD https://example.com/model.bin /models/")]
    [InlineData("ADD --chown=1:1 http://example.com/a.tgz /tmp/")]
    [InlineData("ADD git@github.com:org/repo.git /src")]
    [InlineData("ADD https://github.com/org/repo.git#v1 /src")]
    public void Remote_add_is_caught(string add) =>
        Assert.Single(DockerfileRules.NoRemoteAdd(Parse("FROM a:1\n" + add)));

    [Fact]
    public void Local_add_passes() =>
        Assert.Empty(DockerfileRules.NoRemoteAdd(Parse("FROM a:1\nADD app.tar.gz /app/")));

    [Theory]
    [InlineData("ARG NUGET_API_KEY")]
    [InlineData("ARG GITHUB_TOKEN=abc")]
    [InlineData("ENV DB_PASSWORD=hunter2")]
    [InlineData("ENV AzureWebJobsStorage=\"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;\"")]
    [InlineData("ENV MODEL_URL=https://a.blob.core.windows.net/m/x?sv=2024-01-01&sig=AbCdEfGhIjKlMnOpQrStUv%3D")]
    [InlineData("ENV STORAGE_KEY_VALUE=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq")]
    [InlineData("ENV MiniGpt5__ApiKeys=k1,k2")]
    public void Secrets_in_env_or_arg_are_caught(string line) =>
        Assert.Single(DockerfileRules.NoSecretsInEnvOrArg(Parse("FROM a:1\n" + line)));

    [Theory]
    [InlineData("ENV MiniGpt5__ApiKeys=")]
    [InlineData("ENV MiniGpt5__Device=cuda DOTNET_NOLOGO=1")]
    [InlineData("ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04@sha256:828c4d878adcaa4265d80c95d8ec877149b49bb2419a4cf3bb6aa889bbb7ca2e")]
    [InlineData("ENV AzureWebJobsStorage__accountName=stabc123")]
    public void Ordinary_settings_pass(string line) =>
        Assert.Empty(DockerfileRules.NoSecretsInEnvOrArg(Parse("FROM a:1\n" + line)));

    [Theory]
    [InlineData("RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", "no-install-recommends")]
    [InlineData("RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*", "stale package index")]
    [InlineData("RUN apt-get update && apt-get install -y --no-install-recommends curl", "package lists")]
    [InlineData("RUN [\"apt-get\", \"install\", \"-y\", \"curl\"]", "no-install-recommends")]
    public void Fat_apt_installs_are_caught(string run, string expected) =>
        Assert.Contains(DockerfileRules.AptInstallsAreLean(Parse("FROM a:1\n" + run)), v => v.Message.Contains(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*")]
    [InlineData("RUN useradd app && install -d -o app /data")]
    public void Lean_apt_installs_and_coreutils_install_pass(string run) =>
        Assert.Empty(DockerfileRules.AptInstallsAreLean(Parse("FROM a:1\n" + run)));

    [Fact]
    public void Health_probe_is_a_healthcheck_or_a_probe_comment()
    {
        Assert.Single(DockerfileRules.HasHealthcheckOrDocumentedProbe(Parse("FROM a:1\nCMD x")));
        Assert.Single(DockerfileRules.HasHealthcheckOrDocumentedProbe(Parse("FROM a:1\nHEALTHCHECK NONE")));
        Assert.Empty(DockerfileRules.HasHealthcheckOrDocumentedProbe(Parse("FROM a:1\nHEALTHCHECK CMD true")));
        Assert.Empty(DockerfileRules.HasHealthcheckOrDocumentedProbe(Parse("FROM a:1\n# probe: queue-scaled, no HTTP\nCMD x")));
    }

    [Theory]
    [InlineData("ENV ASPNETCORE_URLS=http://+:8080\nEXPOSE 80", 2)]
    [InlineData("ENV ASPNETCORE_URLS=http://+:8080\nEXPOSE 8080 9090", 1)]
    [InlineData("ENV ASPNETCORE_HTTP_PORTS=8081\nEXPOSE 8080/tcp", 2)]
    [InlineData("EXPOSE 8080\nCMD [\"serve\", \"--urls\", \"http://0.0.0.0:5000\"]", 2)]
    [InlineData("ENV ASPNETCORE_URLS=http://+\nEXPOSE 8080", 2)]
    public void Exposed_ports_that_differ_from_bound_ports_are_caught(string body, int expected) =>
        Assert.Equal(expected, DockerfileRules.ExposedPortsMatchListenUrls(Parse("FROM a:1\n" + body)).Count());

    [Theory]
    [InlineData("ENV ASPNETCORE_URLS=\"http://+:8080;https://+:8443\"\nEXPOSE 8080 8443/tcp")]
    [InlineData("ENV ASPNETCORE_HTTP_PORTS=8080\nEXPOSE 8080")]
    [InlineData("EXPOSE 5000\nCMD [\"serve\", \"--urls=http://[::]:5000\"]")]
    [InlineData("CMD [\"worker\"]")]
    public void Exposed_ports_that_match_pass(string body) =>
        Assert.Empty(DockerfileRules.ExposedPortsMatchListenUrls(Parse("FROM a:1\n" + body)));

    [Theory]
    [InlineData("RUN --mount=type=cache,target=/root/.nuget dotnet restore")]
    [InlineData("RUN --network=none make")]
    [InlineData("COPY --chmod=0755 probe.sh /usr/local/bin/")]
    [InlineData("COPY --link src/ /src/")]
    [InlineData("ADD --checksum=sha256:abc app.tgz /app/")]
    public void BuildKit_only_flags_are_caught(string line) =>
        Assert.Single(DockerfileRules.BuildsWithoutBuildKit(Parse("FROM a:1\n" + line)));

    [Fact]
    public void Classic_builder_flags_pass() =>
        Assert.Empty(DockerfileRules.BuildsWithoutBuildKit(Parse("FROM a:1 AS build\nFROM a:1\nCOPY --from=build --chown=1:1 /out /app\nRUN echo ok")));

    private static Dockerfile Parse(string text) => DockerfileParser.Parse(text, "inline");
}
