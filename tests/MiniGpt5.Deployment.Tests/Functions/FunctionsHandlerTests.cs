using System.Text.Json;
using MiniGpt5.Deployment.Tests.Bicep;
using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Functions;

/// <summary>infra/functions, the Azure Functions custom-handler package of the API + orchestrator host.</summary>
public sealed class FunctionsHandlerTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.RepoRoot, "infra", "functions");

    [Fact]
    public void Host_json_runs_the_published_app_and_forwards_http_requests_unchanged()
    {
        using var host = Json("host.json");
        var root = host.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        var handler = root.GetProperty("customHandler");
        Assert.Equal("app/minigpt5", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal(["serve"], handler.GetProperty("description").GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", root.GetProperty("extensionBundle").GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", root.GetProperty("extensionBundle").GetProperty("version").GetString());

        // Routes are the app's own (/api/..., /healthz): no extra prefix from the host.
        Assert.Equal(string.Empty, root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Http_function_is_a_catch_all_with_only_http_bindings_so_forwarding_applies()
    {
        using var function = Json("HttpApi/function.json");
        var bindings = function.RootElement.GetProperty("bindings").EnumerateArray().ToList();

        Assert.Equal(["httpTrigger", "http"], bindings.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("{*path}", bindings[0].GetProperty("route").GetString());
        Assert.Equal(["get", "post", "delete"], bindings[0].GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public void Ingestion_trigger_reads_the_upload_queue_the_bicep_creates_through_the_shared_connection()
    {
        using var function = Json("IngestManuscript/function.json");
        var trigger = function.RootElement.GetProperty("bindings").EnumerateArray().Single();
        var main = DeploymentTemplates.Main;
        var appStorage = (Dictionary<string, object?>)new BicepEvaluator(main).Variable("appStorage")!;

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(appStorage["uploadsQueue"], trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void Timer_schedule_comes_from_a_setting_the_sample_settings_define()
    {
        using var function = Json("RunSchedules/function.json");
        using var settings = Json("local.settings.sample.json");
        var trigger = function.RootElement.GetProperty("bindings").EnumerateArray().Single();
        var values = settings.RootElement.GetProperty("Values");

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        var schedule = trigger.GetProperty("schedule").GetString()!;
        Assert.Matches("^%[A-Za-z0-9_]+%$", schedule);
        var cron = values.GetProperty(schedule.Trim('%')).GetString()!;
        Assert.Equal(6, cron.Split(' ').Length);
        Assert.Equal("custom", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void The_package_script_ships_every_function_folder()
    {
        var functions = Directory.EnumerateDirectories(Folder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName)
            .ToList();
        var zipLine = File.ReadAllLines(Path.Combine(Folder, "build.sh")).Single(l => l.Contains("zip -qr", StringComparison.Ordinal));

        Assert.Equal(3, functions.Count);
        Assert.All(functions, f => Assert.Contains($" {f}", zipLine, StringComparison.Ordinal));
        Assert.Contains(" host.json", zipLine, StringComparison.Ordinal);
    }

    private static JsonDocument Json(string relative) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, relative)));
}
