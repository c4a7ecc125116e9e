using Microsoft.Extensions.Configuration;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.App;

public sealed class SettingsAndModelTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void The_sample_settings_file_loads_with_the_documented_values()
    {
        var values = AppSettingsLoader.ReadLocalSettingsValues(Path.Combine(RepoPaths.RepoRoot, "local.settings.sample.json"));
        var settings = AppSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

        Assert.Equal(("local", "minigpt5", 4, "nano", "cpu"), (settings.Storage, settings.TaskHub, settings.PartitionCount, settings.Model, settings.Device));
        Assert.Equal(["default", "gpu"], settings.TaskQueues);
        Assert.Equal((16, 4, 1, 1048576L), (settings.MaxConcurrentOrchestrations, settings.MaxConcurrentActivities, settings.MaxConcurrentGpuActivities, settings.MaxManuscriptBytes));
        Assert.Empty(settings.ApiKeys);
        Assert.True(settings.ServesGpuQueue);
    }

    [Fact]
    public void Values_are_parsed_and_bad_ones_name_the_setting()
    {
        var settings = AppSettingsLoader.Load(Config(("MiniGpt5:TaskQueues", "gpu"), ("MiniGpt5:ApiKeys", "a, b"), ("MiniGpt5:WorkerExitWhenIdleSeconds", "30"), ("AzureWebJobsStorage", "UseDevelopmentStorage=true")));
        Assert.Equal(["gpu"], settings.TaskQueues);
        Assert.Equal(["a", "b"], settings.ApiKeys);
        Assert.Equal(30, settings.WorkerExitWhenIdleSeconds);
        Assert.Equal("UseDevelopmentStorage=true", settings.Storage);

        var e = Assert.Throws<SettingsException>(() => AppSettingsLoader.Load(Config(("MiniGpt5:PartitionCount", "40"))));
        Assert.Contains("MiniGpt5__PartitionCount is '40'", e.Message, StringComparison.Ordinal);
        Assert.Throws<SettingsException>(() => AppSettingsLoader.Load(Config(("MiniGpt5:Device", "tpu"))));
        Assert.Throws<SettingsException>(() => AppSettingsLoader.Load(Config(("MiniGpt5:TaskQueues", "GPU!"))));
        Assert.Throws<SettingsException>(() => AppSettingsLoader.Load(Config(("MiniGpt5:ModelSha256", "xyz"))));
    }

    [Fact]
    public void Identity_based_storage_settings_become_an_entra_connection_string()
    {
        var settings = AppSettingsLoader.Load(Config(
            ("AzureWebJobsStorage:accountName", "minigpt5data"),
            ("AzureWebJobsStorage:blobServiceUri", "https://minigpt5data.blob.core.windows.net"),
            ("AzureWebJobsStorage:queueServiceUri", "https://minigpt5data.queue.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.Equal(
            "AccountName=minigpt5data;BlobEndpoint=https://minigpt5data.blob.core.windows.net;QueueEndpoint=https://minigpt5data.queue.core.windows.net;Credential=managedidentity;ClientId=00000000-0000-0000-0000-000000000001",
            settings.Storage);
        var parsed = MiniGpt5.Storage.Azure.StorageConnectionString.Parse(settings.Storage);
        Assert.Equal(MiniGpt5.Storage.Azure.StorageAuthMode.EntraId, parsed.AuthMode);
        Assert.Throws<SettingsException>(() => AppSettingsLoader.Load(Config(("AzureWebJobsStorage:accountName", "x"), ("AzureWebJobsStorage:credential", "secret"))));
    }

    [Fact]
    public void A_model_folder_is_resolved_and_a_wrong_one_is_reported()
    {
        var folder = RepoPaths.GoldenFile("minigpt5", "turn", "model");
        Assert.Equal(Path.GetFullPath(folder), ModelLocator.Resolve(folder));
        Assert.Equal(Path.GetFullPath(folder), ModelLocator.Resolve(Path.Combine(folder, "minigpt5.json")));
        var e = Assert.Throws<ModelUnavailableException>(() => ModelLocator.Resolve(RepoPaths.Golden));
        Assert.Contains("holds no minigpt5.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nano_is_found_in_models_nano_of_the_nearest_parent()
    {
        if (Environment.GetEnvironmentVariable(ModelLocator.NanoEnvironmentVariable) is not null
            || File.Exists(Path.Combine(AppContext.BaseDirectory, "models", "nano", ModelLocator.ConfigFile)))
        {
            return; // an explicit or bundled nano model takes precedence over the walk this test checks
        }

        var root = Path.Combine(Path.GetTempPath(), "minigpt5-nano-" + Guid.NewGuid().ToString("N")[..8]);
        var nano = Path.Combine(root, "models", "nano");
        var deep = Path.Combine(root, "a", "b");
        Directory.CreateDirectory(nano);
        Directory.CreateDirectory(deep);
        try
        {
            Assert.Throws<ModelUnavailableException>(() => ModelLocator.Resolve("nano", deep));
            File.WriteAllText(Path.Combine(nano, "minigpt5.json"), "{}");
            Assert.Equal(nano, ModelLocator.Resolve("nano", deep));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
