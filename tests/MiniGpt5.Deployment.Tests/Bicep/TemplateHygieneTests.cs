namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// What `bicep build` and a reviewer would catch, checked without the Bicep CLI: resource API versions,
/// parameter descriptions and use, secrets, undeclared names, and module wiring.
/// </summary>
public sealed class TemplateHygieneTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in DeploymentTemplates.All)
        {
            data.Add(Path.GetRelativePath(DeploymentTemplates.Folder, file.Path).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void Every_template_file_parses_and_main_is_there() =>
        Assert.Contains(DeploymentTemplates.All, f => f.Path.EndsWith("main.bicep", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_resource_uses_a_known_good_api_version(string path)
    {
        foreach (var resource in DeploymentTemplates.Get(path).Resources)
        {
            Assert.True(
                AzureReference.KnownGoodApiVersions.TryGetValue(resource.Type, out var versions) && versions.Contains(resource.ApiVersion),
                $"{path}:{resource.Line}: {resource.Type}@{resource.ApiVersion} is not in the known-good list (AzureReference.KnownGoodApiVersions)");
            Assert.DoesNotContain("preview", resource.ApiVersion, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_param_is_described_and_used(string path)
    {
        var file = DeploymentTemplates.Get(path);
        var used = file.RootExpressions.SelectMany(BicepReferences.In).Where(r => !r.IsFunction && !r.IsLocal).Select(r => r.Name).ToHashSet();

        foreach (var parameter in file.Parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace(parameter.Description), $"{path}:{parameter.Line}: param {parameter.Name} has no @description");
            Assert.True(used.Contains(parameter.Name), $"{path}:{parameter.Line}: param {parameter.Name} is never used");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Secure_params_have_no_default_and_no_default_looks_like_a_secret(string path)
    {
        var file = DeploymentTemplates.Get(path);
        foreach (var parameter in file.Parameters)
        {
            if (parameter.IsSecure)
            {
                Assert.True(parameter.Default is null, $"{path}:{parameter.Line}: @secure() param {parameter.Name} has a default, which would be stored in the template");
                continue;
            }

            Assert.False(
                SecretPatterns.IsSecretName(parameter.Name) && parameter.Type == "string",
                $"{path}:{parameter.Line}: param {parameter.Name} looks like a credential but is not @secure()");
            if (parameter.Default is not null)
            {
                foreach (var literal in BicepFile.Descendants(parameter.Default).OfType<StringExpression>().SelectMany(s => s.Parts))
                {
                    Assert.True(SecretPatterns.FindSecretValue(literal) is null, $"{path}:{parameter.Line}: the default of {parameter.Name} looks like {SecretPatterns.FindSecretValue(literal)}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_name_is_declared_and_every_function_is_a_bicep_function(string path)
    {
        var file = DeploymentTemplates.Get(path);
        var symbols = file.Symbols.ToHashSet(StringComparer.Ordinal);
        foreach (var reference in file.RootExpressions.SelectMany(BicepReferences.In))
        {
            if (reference.IsFunction)
            {
                Assert.True(AzureReference.BicepFunctions.Contains(reference.Name), $"{path}:{reference.Line}: '{reference.Name}' is not a Bicep function");
            }
            else if (!reference.IsLocal)
            {
                Assert.True(symbols.Contains(reference.Name), $"{path}:{reference.Line}: '{reference.Name}' is not declared");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void No_symbol_shadows_a_bicep_function_or_namespace(string path)
    {
        // A symbol named like a function (environment, resourceGroup) hides it for the whole file.
        foreach (var symbol in DeploymentTemplates.Get(path).Symbols)
        {
            Assert.False(
                AzureReference.BicepFunctions.Contains(symbol) || symbol is "sys" or "az",
                $"{path}: the symbol '{symbol}' shadows the Bicep function or namespace of that name");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Module_calls_match_the_modules_params_and_outputs(string path)
    {
        var file = DeploymentTemplates.Get(path);
        foreach (var module in file.Modules)
        {
            var target = DeploymentTemplates.Target(file, module);
            var declared = target.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var given = module.Params.Properties.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

            Assert.Empty(given.Except(declared).Select(name => $"{path}:{module.Line}: module {module.Name} passes '{name}', which {module.Path} does not declare"));
            Assert.Empty(target.Parameters.Where(p => p.Default is null && !given.Contains(p.Name))
                .Select(p => $"{path}:{module.Line}: module {module.Name} does not pass required param '{p.Name}' of {module.Path}"));
        }

        // module.outputs.x (also module!.outputs.x) must name an output the module declares.
        foreach (var member in file.RootExpressions.SelectMany(BicepFile.Descendants).OfType<MemberExpression>())
        {
            var outputs = member.Target is MemberExpression { Name: "outputs" } o ? Unwrap(o.Target) : null;
            if (outputs is IdentifierExpression id && file.Modules.SingleOrDefault(m => m.Name == id.Name) is { } module)
            {
                var target = DeploymentTemplates.Target(file, module);
                Assert.True(target.Outputs.Any(x => x.Name == member.Name), $"{path}:{member.Line}: {module.Path} has no output '{member.Name}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_output_of_main_is_described(string path)
    {
        if (!path.Equals("main.bicep", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var output in DeploymentTemplates.Get(path).Outputs)
        {
            Assert.False(string.IsNullOrWhiteSpace(output.Description), $"{path}:{output.Line}: output {output.Name} has no @description");
        }
    }

    [Fact]
    public void Parameter_files_set_only_declared_params_supply_every_required_one_and_hold_no_secrets()
    {
        var main = DeploymentTemplates.Main;
        Assert.NotEmpty(DeploymentTemplates.ParameterFiles);
        foreach (var path in DeploymentTemplates.ParameterFiles)
        {
            var values = DeploymentTemplates.ReadParameterFile(path);
            var name = Path.GetFileName(path);
            foreach (var key in values.Keys)
            {
                var parameter = main.Parameters.SingleOrDefault(p => p.Name == key);
                Assert.True(parameter is not null, $"{name}: '{key}' is not a param of main.bicep");
                Assert.False(parameter!.IsSecure, $"{name}: secure param '{key}' must be passed on the command line, not stored in a file");
                if (values[key] is string text)
                {
                    Assert.True(SecretPatterns.FindSecretValue(text) is null, $"{name}: '{key}' looks like {SecretPatterns.FindSecretValue(text)}");
                }
            }

            foreach (var required in main.Parameters.Where(p => p.Default is null && !p.IsSecure))
            {
                Assert.True(values.ContainsKey(required.Name), $"{name} does not set required param '{required.Name}'");
            }
        }
    }

    private static BicepExpression Unwrap(BicepExpression e) => e is NonNullExpression n ? Unwrap(n.Operand) : e;
}
