using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.Status;

/// <summary>`minigpt5 status [ID]`: one instance in detail (progress, book, failure), or the most recent ones.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "Instance id (a manuscript id, batch id or dataset run). Omit to list instances.", Arity = ArgumentArity.ZeroOrOne };
        var top = new Option<int>("--top") { Description = "How many instances to list.", DefaultValueFactory = _ => 20 };
        var filter = new Option<string[]>("--status") { Description = "List only these statuses (pending, running, completed, failed, terminated, suspended); repeatable." };
        var json = new Option<bool>("--json") { Description = "Print JSON: the instance object, or one object per line when listing." };
        var app = new AppOptions();
        var command = new Command("status", "Show an illustration run's progress, or list recent runs.") { id, top, filter, json };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var settings = app.Load(parse);
                var statuses = new List<OrchestrationRuntimeStatus>();
                foreach (var name in parse.GetValue(filter) ?? [])
                {
                    if (!Enum.TryParse<OrchestrationRuntimeStatus>(name, ignoreCase: true, out var status))
                    {
                        return await AppOptions.BadInputAsync(stderr, $"'{name}' is not a status; use pending, running, completed, failed, terminated or suspended.");
                    }

                    statuses.Add(status);
                }

                await using var host = await AppOptions.StartHostAsync(settings, new IllustrationHostOptions { RunWorker = false }, cancellationToken);
                if (parse.GetValue(id) is { } instanceId)
                {
                    var instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
                    if (instance is null)
                    {
                        return await AppOptions.BadInputAsync(stderr, $"no instance '{instanceId}' in task hub '{settings.TaskHub}' ({host.Account.Description}).");
                    }

                    await (parse.GetValue(json) ? stdout.WriteLineAsync(JsonSerializer.Serialize(Describe(instance))) : WriteDetailAsync(stdout, instance));
                    return 0;
                }

                var page = await host.Client.QueryInstancesAsync(new InstanceQuery
                {
                    PageSize = Math.Clamp(parse.GetValue(top), 1, 1000),
                    RuntimeStatus = statuses.Count > 0 ? statuses : null,
                    FetchInputsAndOutputs = true,
                }, cancellationToken);
                foreach (var instance in page.Instances.OrderByDescending(i => i.CreatedAt))
                {
                    await stdout.WriteLineAsync(parse.GetValue(json)
                        ? JsonSerializer.Serialize(Describe(instance))
                        : string.Create(CultureInfo.InvariantCulture,
                            $"{instance.InstanceId,-44} {instance.Name,-20} {instance.RuntimeStatus,-10} {Progress(instance),-12} {instance.CreatedAt:u}"));
                }

                return 0;
            }
            catch (Exception e) when (e is SettingsException or ArgumentException)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }
        });
        return command;
    }

    private static string Progress(OrchestrationMetadata instance)
    {
        if (instance.SerializedCustomStatus is null)
        {
            return string.Empty;
        }

        using var status = JsonDocument.Parse(instance.SerializedCustomStatus);
        var root = status.RootElement;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("done", out var done) && root.TryGetProperty("total", out var total)
            ? string.Create(CultureInfo.InvariantCulture, $"{done.GetInt32()}/{total.GetInt32()}")
            : string.Empty;
    }

    private static object Describe(OrchestrationMetadata instance) => new
    {
        id = instance.InstanceId,
        name = instance.Name,
        status = instance.RuntimeStatus.ToString(),
        createdAt = instance.CreatedAt,
        lastUpdatedAt = instance.LastUpdatedAt,
        completedAt = instance.CompletedAt,
        progress = instance.SerializedCustomStatus is null ? (JsonElement?)null : JsonDocument.Parse(instance.SerializedCustomStatus).RootElement.Clone(),
        output = instance.SerializedOutput is null ? (JsonElement?)null : JsonDocument.Parse(instance.SerializedOutput).RootElement.Clone(),
        error = instance.FailureDetails?.ErrorMessage,
    };

    private static async Task WriteDetailAsync(TextWriter stdout, OrchestrationMetadata instance)
    {
        await stdout.WriteLineAsync($"{instance.InstanceId}  {instance.Name}  {instance.RuntimeStatus}");
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  created {instance.CreatedAt:u}, updated {instance.LastUpdatedAt:u}"));
        if (instance.Name == IllustrationNames.IllustrateBatch)
        {
            if (instance.ReadCustomStatusAs<BatchProgress>() is { } batch)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {batch.Summary} manuscripts done, {batch.Failed} failed, {batch.Running} running{(batch.Eta is { } eta ? $", ETA {eta:u}" : string.Empty)}"));
            }

            if (instance.ReadOutputAs<IllustrateBatchOutput>() is { } output)
            {
                foreach (var item in output.Items)
                {
                    await stdout.WriteLineAsync(item.Succeeded
                        ? $"  ok      {item.ManuscriptId}  {item.Book}"
                        : $"  failed  {item.ManuscriptId}  {item.Source}: {item.Error}");
                }
            }
        }
        else if (instance.ReadCustomStatusAs<ManuscriptProgress>() is { } progress)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {progress.Title ?? progress.ManuscriptId}: {progress.Phase}, {progress.Done}/{progress.Total} steps done, {progress.Failed} failed{(progress.Eta is { } eta ? $", ETA {eta:u}" : string.Empty)}"));
            await stdout.WriteLineAsync($"  book: {progress.Book}");
        }

        if (instance.FailureDetails is { } failure)
        {
            await stdout.WriteLineAsync($"  error: {failure.ErrorMessage}");
        }
    }
}
