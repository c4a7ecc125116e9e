using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.Worker;

/// <summary>
/// `minigpt5 worker [--task-queue gpu]`: a durable worker process. On the gpu queue it loads the model before
/// taking work (a worker that cannot load it exits 1 at once rather than failing every step), keeps it loaded, and
/// runs steps one at a time (MiniGpt5__MaxConcurrentGpuActivities). On Ctrl+C or SIGTERM it stops taking work, lets
/// running steps finish within --drain-seconds and hands the rest back for another worker.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var queues = new Option<string[]>("--task-queue")
        {
            Description = "Activity queue to serve; repeatable (default: MiniGpt5__TaskQueues, else default and gpu).",
            AllowMultipleArgumentsPerToken = false,
        };
        var orchestrations = new Option<bool>("--orchestrations") { Description = "Also run orchestrations (serve does; a GPU worker usually does not)." };
        var model = new Option<string?>("--model") { Description = "'nano' or a MiniGPT-5 model folder. Default: MiniGpt5__Model, else nano." };
        var idle = new Option<int?>("--exit-when-idle") { Description = "Exit 0 after this many seconds without running work (default: MiniGpt5__WorkerExitWhenIdleSeconds; unset runs until stopped)." };
        var drain = new Option<int>("--drain-seconds")
        {
            Description = "On stop, how long running steps may take to finish before they are handed back.",
            DefaultValueFactory = _ => 110,
        };
        var verbose = new Option<bool>("--verbose") { Description = "Log debug detail." };
        var app = new AppOptions();
        var command = new Command("worker", "Run a durable worker: GPU steps (--task-queue gpu), or any queues and orchestrations.")
        {
            queues, orchestrations, model, idle, drain, verbose,
        };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            MiniGpt5Settings settings;
            try
            {
                settings = app.Load(parse, parse.GetValue(model));
                if (parse.GetValue(queues) is { Length: > 0 } chosen)
                {
                    settings = settings with { TaskQueues = AppSettingsLoader.ParseTaskQueues(string.Join(',', chosen)) };
                }
            }
            catch (SettingsException e)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }

            var level = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information;
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(level));
            var log = loggers.CreateLogger("worker");
            ModelIllustratorSource? models = null;
            try
            {
                var account = AppStorage.Open(settings);
                if (settings.ServesGpuQueue)
                {
                    // Download (blob mode), verify the pin and load before taking any work.
                    models = new ModelIllustratorSource(settings, account.Blobs, loggers.CreateLogger<ModelIllustratorSource>());
                    await models.GetAsync(cancellationToken);
                }

                var options = new IllustrationHostOptions
                {
                    RunOrchestrations = parse.GetValue(orchestrations),
                    Illustrator = models,
                    ConfigureLogging = b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(level),
                    ConfigureWorker = w => w.DrainTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(drain))),
                };
                await using var host = await AppOptions.StartHostAsync(settings, account, options, cancellationToken);
                log.LogInformation("Worker {WorkerId} serving {Queues} on hub {Hub} ({Storage}); orchestrations: {Orchestrations}",
                    host.Worker!.WorkerId, string.Join(",", settings.TaskQueues), settings.TaskHub, host.Account.Description, options.RunOrchestrations);
                var idleSeconds = parse.GetValue(idle) ?? settings.WorkerExitWhenIdleSeconds;
                await WaitAsync(host, idleSeconds, log, cancellationToken);
                log.LogInformation("Stopping: running steps finish or are handed back.");
                await host.StopAsync(CancellationToken.None);
                return 0;
            }
            catch (ModelUnavailableException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            catch (SettingsException e)
            {
                return await AppOptions.BadInputAsync(stderr, e.Message);
            }
            finally
            {
                models?.Dispose();
            }
        });
        return command;
    }

    // Until cancelled, or until nothing has run for idleSeconds (then exit 0, as Container Apps jobs expect).
    private static async Task WaitAsync(IllustrationHost host, int? idleSeconds, ILogger log, CancellationToken cancellationToken)
    {
        var idleSince = DateTime.UtcNow;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                if (idleSeconds is not { } limit)
                {
                    continue;
                }

                if (host.Worker!.RunningActivities > 0)
                {
                    idleSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - idleSince >= TimeSpan.FromSeconds(limit))
                {
                    log.LogInformation("{Seconds} s without work: exiting.", limit.ToString(CultureInfo.InvariantCulture));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
