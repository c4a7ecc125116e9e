using System.CommandLine;
using System.Text.Json;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Durable;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.Cancel;

/// <summary>
/// `minigpt5 cancel ID`: terminates a run (a batch's running manuscripts too). Steps already painted stay in the
/// book folder. Cancelling a run that already ended changes nothing and succeeds.
/// </summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "Instance id to cancel." };
        var reason = new Option<string?>("--reason") { Description = "Recorded with the termination." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var app = new AppOptions();
        var command = new Command("cancel", "Cancel (terminate) an illustration run or dataset run.") { id, reason, json };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var settings = app.Load(parse);
                await using var host = await AppOptions.StartHostAsync(settings, new IllustrationHostOptions { RunWorker = false }, cancellationToken);
                var instanceId = parse.GetValue(id)!;
                var instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
                if (instance is null)
                {
                    return await AppOptions.BadInputAsync(stderr, $"no instance '{instanceId}' in task hub '{settings.TaskHub}' ({host.Account.Description}).");
                }

                var why = parse.GetValue(reason) ?? "cancelled from the command line";
                var cancelled = new List<string>();
                if (instance.IsRunning)
                {
                    await host.Client.TerminateInstanceAsync(instanceId, why, cancellationToken);
                    cancelled.Add(instanceId);
                }

                if (instance.Name == IllustrationNames.IllustrateBatch && instance.ReadInputAs<IllustrateBatchInput>() is { } batch)
                {
                    foreach (var item in batch.Items)
                    {
                        var child = await host.Client.GetInstanceAsync(item.ManuscriptId, getInputsAndOutputs: false, cancellationToken);
                        if (child?.IsRunning == true)
                        {
                            await host.Client.TerminateInstanceAsync(item.ManuscriptId, why, cancellationToken);
                            cancelled.Add(item.ManuscriptId);
                        }
                    }
                }

                if (parse.GetValue(json))
                {
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(new { id = instanceId, previousStatus = instance.RuntimeStatus.ToString(), cancelled }));
                }
                else if (cancelled.Count == 0)
                {
                    await stdout.WriteLineAsync($"{instanceId} had already ended ({instance.RuntimeStatus}); nothing to cancel.");
                }
                else
                {
                    await stdout.WriteLineAsync($"cancelled {string.Join(", ", cancelled)}");
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
}
