using System.Text.RegularExpressions;

namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>
/// The rules our Dockerfiles keep, each returning the violations it finds (empty when the file complies).
/// </summary>
internal static partial class DockerfileRules
{
    /// <summary>Every rule, for "this file passes all of them" checks.</summary>
    public static IEnumerable<DockerRuleViolation> All(Dockerfile file) =>
        BaseImagesArePinned(file)
            .Concat(RunsAsNonRootUser(file))
            .Concat(NoRemoteAdd(file))
            .Concat(NoSecretsInEnvOrArg(file))
            .Concat(AptInstallsAreLean(file))
            .Concat(HasHealthcheckOrDocumentedProbe(file))
            .Concat(ExposedPortsMatchListenUrls(file))
            .Concat(BuildsWithoutBuildKit(file));

    /// <summary>
    /// Every FROM names an image with an explicit tag other than <c>latest</c> (a digest is better still),
    /// or an earlier stage. Unresolvable <c>${ARG}</c> references count as unpinned.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> BaseImagesArePinned(Dockerfile file)
    {
        const string rule = "pinned-base-image";
        var stageNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in file.Stages)
        {
            var image = stage.ResolvedBaseImage;
            if (stageNames.Contains(image) || image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                // Builds on an earlier stage or on nothing: nothing to pin.
            }
            else if (image.Contains('$', StringComparison.Ordinal))
            {
                yield return new(rule, stage.From.Line, $"FROM '{stage.BaseImage}' uses a build argument without a default; give it a pinned default");
            }
            else
            {
                var (tag, digest) = SplitImageReference(image);
                if (tag is null && digest is null)
                {
                    yield return new(rule, stage.From.Line, $"FROM '{image}' has no tag; pin a version tag (not latest) or a digest");
                }
                else if (string.Equals(tag, "latest", StringComparison.OrdinalIgnoreCase))
                {
                    yield return new(rule, stage.From.Line, $"FROM '{image}' uses the moving 'latest' tag; pin a version");
                }
            }

            if (stage.Name is not null)
            {
                stageNames.Add(stage.Name);
            }
        }
    }

    /// <summary>
    /// The final stage switches to a non-root user (not root, not uid 0) before CMD and ENTRYPOINT, and does
    /// not switch back.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> RunsAsNonRootUser(Dockerfile file)
    {
        const string rule = "non-root-user";
        var stage = file.FinalStage;
        var instructions = stage.Instructions;
        var lastUser = instructions.LastOrDefault(i => i.Keyword == "USER");
        if (lastUser is null)
        {
            yield return new(rule, stage.From.Line, "the final stage never sets USER, so the container runs as root");
            yield break;
        }

        var user = lastUser.Body.Split(':')[0].Trim();
        if (user.Length == 0 || user == "0" || user.Equals("root", StringComparison.OrdinalIgnoreCase))
        {
            yield return new(rule, lastUser.Line, $"USER {lastUser.Body} runs the container as root");
        }
        else if (user.Contains('$', StringComparison.Ordinal))
        {
            yield return new(rule, lastUser.Line, $"USER {lastUser.Body} depends on a variable; write the uid so the rule (and a reader) can check it");
        }

        foreach (var start in instructions.Where(i => i.Keyword is "CMD" or "ENTRYPOINT"))
        {
            if (start.Line < lastUser.Line)
            {
                yield return new(rule, start.Line, $"{start.Keyword} comes before the final USER (line {lastUser.Line}); set the user first");
            }
        }
    }

    /// <summary>ADD never fetches a remote URL or git repository (unverified downloads); use COPY.</summary>
    public static IEnumerable<DockerRuleViolation> NoRemoteAdd(Dockerfile file)
    {
        foreach (var add in file.Instructions.Where(i => i.Keyword == "ADD"))
        {
            foreach (var source in add.Words.SkipLast(1))
            {
                if (RemoteSource().IsMatch(source))
                {
                    yield return new("no-remote-add", add.Line, $"ADD fetches '{source}' from the network without verifying it; download and check it in a build stage, or COPY a local file");
                }
            }
        }
    }

    /// <summary>
    /// No ENV or ARG carries a credential: no secret-named ARG at all (build arguments stay in the image
    /// history; use RUN --mount=type=secret), no secret-named ENV with a value, and no secret-shaped value.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> NoSecretsInEnvOrArg(Dockerfile file)
    {
        const string rule = "no-secrets";
        foreach (var instruction in file.Instructions)
        {
            if (instruction.Keyword == "ARG")
            {
                var (name, value) = DockerfileParser.SplitArg(instruction.Body);
                if (SecretPatterns.IsSecretName(name))
                {
                    yield return new(rule, instruction.Line, $"ARG {name} looks like a credential; build arguments are kept in the image history (use RUN --mount=type=secret)");
                }
                else if (value is not null && SecretPatterns.FindSecretValue(value) is { } what)
                {
                    yield return new(rule, instruction.Line, $"ARG {name} defaults to {what}");
                }
            }
            else if (instruction.Keyword == "ENV")
            {
                foreach (var (name, value) in DockerfileParser.SplitEnv(instruction.Body))
                {
                    if (SecretPatterns.IsSecretName(name) && value.Length > 0)
                    {
                        yield return new(rule, instruction.Line, $"ENV {name} bakes a credential into the image; pass it at run time");
                    }
                    else if (SecretPatterns.FindSecretValue(value) is { } what)
                    {
                        yield return new(rule, instruction.Line, $"ENV {name} holds {what}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every apt install refreshes the index, skips recommended packages and deletes the package lists in the
    /// same RUN, so the layer holds only what was asked for.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> AptInstallsAreLean(Dockerfile file)
    {
        const string rule = "lean-apt";
        foreach (var run in file.Instructions.Where(i => i.Keyword == "RUN"))
        {
            var script = run.JsonArguments is { } args ? string.Join(' ', args) : run.Body;
            var aptCommands = AptSubcommands(script).ToList();
            if (!aptCommands.Contains("install"))
            {
                continue;
            }

            if (!script.Contains("--no-install-recommends", StringComparison.Ordinal))
            {
                yield return new(rule, run.Line, "apt install without --no-install-recommends pulls in packages nobody asked for");
            }

            if (!aptCommands.Contains("update"))
            {
                yield return new(rule, run.Line, "apt install without apt-get update in the same RUN uses a stale package index");
            }

            if (!AptListsCleanup().IsMatch(script))
            {
                yield return new(rule, run.Line, "apt install without 'rm -rf /var/lib/apt/lists/*' in the same RUN keeps the package lists in the layer");
            }
        }
    }

    /// <summary>The apt/apt-get subcommands (install, update, ...) a shell script runs, in order.</summary>
    public static IEnumerable<string> AptSubcommands(string script)
    {
        foreach (var command in CommandSeparator().Split(script))
        {
            var words = command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .SkipWhile(w => w == "sudo" || w.Contains('=', StringComparison.Ordinal))
                .ToList();
            if (words.Count == 0 || words[0] is not ("apt-get" or "apt"))
            {
                continue;
            }

            var subcommand = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-'));
            if (subcommand is not null)
            {
                yield return subcommand;
            }
        }
    }

    /// <summary>
    /// The image declares how it is health-checked: a HEALTHCHECK in the final stage, or a comment line
    /// starting "probe:" that says why there is none and where probing happens instead.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> HasHealthcheckOrDocumentedProbe(Dockerfile file)
    {
        var healthcheck = file.FinalStage.All("HEALTHCHECK").LastOrDefault();
        if (healthcheck is not null)
        {
            if (healthcheck.Body.Trim().Equals("NONE", StringComparison.OrdinalIgnoreCase))
            {
                yield return new("health-probe", healthcheck.Line, "HEALTHCHECK NONE turns checking off; say why in a '# probe:' comment instead");
            }

            yield break;
        }

        if (!file.Comments.Any(c => c.Text.StartsWith("probe:", StringComparison.OrdinalIgnoreCase)))
        {
            yield return new("health-probe", file.FinalStage.From.Line, "no HEALTHCHECK and no '# probe:' comment saying how the container is probed");
        }
    }

    /// <summary>
    /// The ports the app binds (ASPNETCORE_URLS, ASPNETCORE_HTTP(S)_PORTS, --urls in CMD/ENTRYPOINT) are
    /// exactly the EXPOSEd ports.
    /// </summary>
    public static IEnumerable<DockerRuleViolation> ExposedPortsMatchListenUrls(Dockerfile file)
    {
        const string rule = "expose-matches-urls";
        var stage = file.FinalStage;
        var bound = new SortedSet<int>();
        var boundAt = stage.From.Line;
        foreach (var env in stage.All("ENV"))
        {
            foreach (var (name, value) in DockerfileParser.SplitEnv(env.Body))
            {
                if (name.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase))
                {
                    bound.UnionWith(PortsOfUrls(value));
                    boundAt = env.Line;
                }
                else if (name.Equals("ASPNETCORE_HTTP_PORTS", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("ASPNETCORE_HTTPS_PORTS", StringComparison.OrdinalIgnoreCase))
                {
                    bound.UnionWith(value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Trim(), System.Globalization.CultureInfo.InvariantCulture)));
                    boundAt = env.Line;
                }
            }
        }

        foreach (var start in stage.Instructions.Where(i => i.Keyword is "CMD" or "ENTRYPOINT"))
        {
            var words = start.Words;
            for (var i = 0; i < words.Count; i++)
            {
                if (words[i] == "--urls" && i + 1 < words.Count)
                {
                    bound.UnionWith(PortsOfUrls(words[i + 1]));
                    boundAt = start.Line;
                }
                else if (words[i].StartsWith("--urls=", StringComparison.Ordinal))
                {
                    bound.UnionWith(PortsOfUrls(words[i]["--urls=".Length..]));
                    boundAt = start.Line;
                }
            }
        }

        var exposed = new SortedSet<int>();
        var exposedAt = new Dictionary<int, int>();
        foreach (var expose in stage.All("EXPOSE"))
        {
            foreach (var word in expose.Words)
            {
                var port = int.Parse(word.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
                exposed.Add(port);
                exposedAt[port] = expose.Line;
            }
        }

        foreach (var port in bound.Except(exposed))
        {
            yield return new(rule, boundAt, $"the app listens on port {port} but the image does not EXPOSE it");
        }

        foreach (var port in exposed.Except(bound))
        {
            yield return new(rule, exposedAt[port], $"EXPOSE {port} but nothing in the image binds port {port} (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS or --urls)");
        }
    }

    /// <summary>
    /// The file builds with the classic builder, because `az acr build` (ACR quick tasks) does not run
    /// BuildKit (Azure/acr#721): no RUN --mount/--network/--security and no COPY/ADD --chmod/--link/--parents/
    /// --exclude/--checksum. (Heredocs, also BuildKit-only, are refused by the parser.)
    /// </summary>
    public static IEnumerable<DockerRuleViolation> BuildsWithoutBuildKit(Dockerfile file)
    {
        string[] runOnly = ["mount", "network", "security"];
        string[] copyOnly = ["chmod", "link", "parents", "exclude", "checksum", "keep-git-dir"];
        foreach (var instruction in file.Instructions)
        {
            var buildKitFlags = instruction.Keyword switch
            {
                "RUN" => runOnly,
                "COPY" or "ADD" => copyOnly,
                _ => [],
            };
            foreach (var flag in instruction.Flags)
            {
                var name = flag.TrimStart('-').Split('=')[0];
                if (buildKitFlags.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    yield return new("classic-builder", instruction.Line, $"{instruction.Keyword} {flag} needs BuildKit, which `az acr build` does not use");
                }
            }
        }
    }

    /// <summary>Ports named by the URLs in an ASPNETCORE_URLS-style list; scheme defaults when absent.</summary>
    public static IEnumerable<int> PortsOfUrls(string urls)
    {
        foreach (var url in urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var m = UrlPort().Match(url.Trim());
            if (m.Success && m.Groups["port"].Success)
            {
                yield return int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                yield return url.TrimStart().StartsWith("https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
            }
        }
    }

    /// <summary>Splits "registry/repo:tag@sha256:..." into its tag and digest (either may be null).</summary>
    public static (string? Tag, string? Digest) SplitImageReference(string image)
    {
        string? digest = null;
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }

        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        var tag = colon > lastSlash ? image[(colon + 1)..] : null;
        return (tag, digest);
    }

    [GeneratedRegex(@"^(https?|ftp)://|^git@|\.git(#.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteSource();

    [GeneratedRegex(@"&&|\|\||;|\|")]
    private static partial Regex CommandSeparator();

    [GeneratedRegex(@"rm\s+-(rf|fr)\s+/var/lib/apt/lists(/\*)?")]
    private static partial Regex AptListsCleanup();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*://(\[[^\]]*\]|[^:/]*)(:(?<port>\d+))?", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPort();
}
