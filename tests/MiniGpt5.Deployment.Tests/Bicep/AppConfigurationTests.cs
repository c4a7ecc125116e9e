using MiniGpt5.Deployment.Tests.Dockerfiles;
using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>How the apps are configured: probes, ports, sizes, identity, storage posture.</summary>
public sealed class AppConfigurationTests
{
    [Fact]
    public void Api_probes_liveness_on_healthz_and_readiness_on_readyz_at_the_port_the_image_exposes()
    {
        var api = DeploymentTemplates.Get("modules/apiApp.bicep");
        var app = api.Resources.Single(r => r.Type == "Microsoft.App/containerApps");
        var container = Assert.IsType<ObjectExpression>(Assert.Single(Assert.IsType<ArrayExpression>(BicepFile.Navigate(app.Body, "properties", "template", "containers")).Items));
        var probes = Assert.IsType<ArrayExpression>(container["probes"]).Items.Cast<ObjectExpression>()
            .ToDictionary(p => ((StringExpression)p["type"]!).LiteralValue!, p => (ObjectExpression)p["httpGet"]!);

        Assert.Equal("/healthz", ((StringExpression)probes["Liveness"]["path"]!).LiteralValue);
        Assert.Equal("/healthz", ((StringExpression)probes["Startup"]["path"]!).LiteralValue);
        Assert.Equal("/readyz", ((StringExpression)probes["Readiness"]["path"]!).LiteralValue);
        Assert.All(probes.Values, p => Assert.Equal("targetPort", Assert.IsType<IdentifierExpression>(p["port"]).Name));
        Assert.Equal("targetPort", Assert.IsType<IdentifierExpression>(BicepFile.Navigate(app.Body, "properties", "configuration", "ingress", "targetPort")).Name);

        var main = DeploymentTemplates.Main;
        var port = new BicepEvaluator(main).Evaluate(main.Modules.Single(m => m.Name == "api").Params["targetPort"]!);
        var exposed = Dockerfile.Load(Path.Combine(RepoPaths.RepoRoot, "infra", "Dockerfile.api")).FinalStage.All("EXPOSE").Single().Words.Single();
        Assert.Equal(exposed, port!.ToString());
    }

    [Theory]
    [InlineData("Consumption-GPU-NC8as-T4", 8L, "56Gi")]
    [InlineData("Consumption-GPU-NC24-A100", 24L, "220Gi")]
    public void Gpu_replicas_ask_for_exactly_the_profile_size(string profile, long cpu, string memory)
    {
        var main = DeploymentTemplates.Main;
        var evaluator = new BicepEvaluator(main, new Dictionary<string, object?> { ["gpuProfileType"] = profile });
        var module = main.Modules.Single(m => m.Path == "modules/gpuWorkerApp.bicep");

        Assert.Equal(cpu, evaluator.Evaluate(module.Params["cpu"]!));
        Assert.Equal(memory, evaluator.Evaluate(module.Params["memory"]!));
        Assert.Contains(profile, AllowedValues(main.Parameter("gpuProfileType")));
    }

    [Fact]
    public void Both_apps_get_storage_by_identity_and_azure_client_id_and_no_connection_string()
    {
        var main = DeploymentTemplates.Main;
        var shared = Assert.IsType<ArrayExpression>(main.Variable("sharedSettings").Value).Items.Cast<ObjectExpression>()
            .ToDictionary(o => ((StringExpression)o["name"]!).LiteralValue!, o => o["value"]!);

        Assert.Equal("clientId", Assert.IsType<MemberExpression>(shared["AZURE_CLIENT_ID"]).Name);
        Assert.Equal("clientId", Assert.IsType<MemberExpression>(shared["AzureWebJobsStorage__clientId"]).Name);
        Assert.Contains("AzureWebJobsStorage__accountName", shared.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", shared.Keys);
        foreach (var module in main.Modules.Where(m => m.Path.Contains("Worker", StringComparison.Ordinal) || m.Path.Contains("apiApp", StringComparison.Ordinal)))
        {
            var settings = Assert.IsType<CallExpression>(module.Params["environmentVariables"]);
            Assert.Equal("concat", settings.Name);
            Assert.Equal("sharedSettings", Assert.IsType<IdentifierExpression>(settings.Arguments[0]).Name);
        }
    }

    [Fact]
    public void Every_app_and_job_pulls_images_with_the_identity_not_a_password()
    {
        foreach (var file in DeploymentTemplates.All)
        {
            foreach (var resource in file.Resources.Where(r => r.Type is "Microsoft.App/containerApps" or "Microsoft.App/jobs"))
            {
                var registry = Assert.IsType<ObjectExpression>(Assert.Single(Assert.IsType<ArrayExpression>(BicepFile.Navigate(resource.Body, "properties", "configuration", "registries")).Items));
                Assert.Equal("identityId", Assert.IsType<IdentifierExpression>(registry["identity"]).Name);
                Assert.Null(registry["passwordSecretRef"]);
                Assert.Equal("UserAssigned", ((StringExpression)BicepFile.Navigate(resource.Body, "identity", "type")!).LiteralValue);
            }
        }
    }

    [Fact]
    public void Data_account_denies_anonymous_and_shared_key_access_and_old_tls_by_default()
    {
        var storage = DeploymentTemplates.Get("modules/storage.bicep");
        var account = storage.Resources.Single(r => r.Type == "Microsoft.Storage/storageAccounts");
        var properties = Assert.IsType<ObjectExpression>(account.Body["properties"]);

        Assert.False(Assert.IsType<BooleanExpression>(properties["allowBlobPublicAccess"]).Value);
        Assert.True(Assert.IsType<BooleanExpression>(properties["supportsHttpsTrafficOnly"]).Value);
        Assert.Equal("TLS1_2", Assert.IsType<StringExpression>(properties["minimumTlsVersion"]).LiteralValue);
        Assert.Equal("allowSharedKeyAccess", Assert.IsType<IdentifierExpression>(properties["allowSharedKeyAccess"]).Name);

        var main = DeploymentTemplates.Main;
        Assert.Equal(false, new BicepEvaluator(main).Parameter("allowSharedKeyAccess"));
        foreach (var path in DeploymentTemplates.ParameterFiles)
        {
            Assert.NotEqual(true, DeploymentTemplates.ReadParameterFile(path).GetValueOrDefault("allowSharedKeyAccess"));
        }

        var containers = Assert.IsType<ForExpression>(storage.Resources.Single(r => r.Type.EndsWith("/containers", StringComparison.Ordinal)).Value);
        Assert.Equal("None", ((StringExpression)BicepFile.Navigate(containers.Body, "properties", "publicAccess")!).LiteralValue);
    }

    [Fact]
    public void Api_keys_reach_the_api_only_as_a_container_apps_secret()
    {
        var api = DeploymentTemplates.Get("modules/apiApp.bicep");
        Assert.True(api.Parameter("apiKeys").IsSecure);
        var app = api.Resources.Single(r => r.Type == "Microsoft.App/containerApps");
        var secret = Assert.IsType<ObjectExpression>(Assert.Single(Assert.IsType<ArrayExpression>(BicepFile.Navigate(app.Body, "properties", "configuration", "secrets")).Items));
        Assert.Equal("apiKeys", Assert.IsType<IdentifierExpression>(secret["value"]).Name);

        var references = api.RootExpressions.SelectMany(BicepReferences.In).Where(r => r.Name == "apiKeys").ToList();
        Assert.Single(references);
    }

    private static IEnumerable<string> AllowedValues(ParameterDeclaration parameter) =>
        parameter.Decorator("allowed")!.Arguments.Cast<ArrayExpression>().Single().Items.Cast<StringExpression>().Select(s => s.LiteralValue!);
}
