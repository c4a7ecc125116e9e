using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.TestWorker;
using MiniGpt5.Storage;

// A durable worker for the fault tests. Prints "READY <id>" once dispatching, and on a graceful stop (SIGTERM)
// "STATS <json>" with what the runtime did (conflicts, duplicates, episodes).
WorkerArguments arguments;
try
{
    arguments = WorkerArguments.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var account = StorageAccount.FromSetting(arguments.Storage, Path.Combine(Path.GetTempPath(), "minigpt5-testworker"));
await account.Blobs.CreateContainerAsync(FaultScenarios.Container);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddSingleton(account.Blobs);
builder.Services.AddSingleton(account.Queues);
builder.Services.AddSingleton(new WorkerIdentity(arguments.WorkerId));
var durable = builder.Services.AddDurableTask(o =>
{
    o.HubName = arguments.Hub;
    o.PartitionCount = arguments.Partitions;
    o.PartitionLeaseDuration = TimeSpan.FromSeconds(15);
    o.PartitionLeaseRenewInterval = TimeSpan.FromSeconds(arguments.LeaseRenewSeconds);
    o.ActivityVisibilityTimeout = TimeSpan.FromSeconds(arguments.VisibilitySeconds);
    o.ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(20);
    o.MaxDequeueCount = arguments.MaxDequeueCount;
    o.MinPollingInterval = TimeSpan.FromMilliseconds(20);
    o.MaxPollingInterval = TimeSpan.FromMilliseconds(500);
    o.StorageRetryDelay = TimeSpan.FromMilliseconds(50);
});
FaultScenarios.Register(durable);
durable.AddWorker(w =>
{
    w.WorkerId = arguments.WorkerId;
    w.RunOrchestrations = arguments.Orchestrations;
    w.TaskQueues = [.. arguments.TaskQueues];
    w.DrainTimeout = TimeSpan.FromSeconds(5);
});

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"READY {arguments.WorkerId}");
await host.WaitForShutdownAsync();
var hub = host.Services.GetRequiredService<DurableTaskHub>();
Console.WriteLine("STATS " + JsonSerializer.Serialize(hub.Statistics));
return 0;
