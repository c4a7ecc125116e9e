using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Schedules;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>Registers the app on a durable registry and a service collection.</summary>
public static class IllustrationRegistration
{
    /// <summary>Registers every orchestrator and activity of the app under its <see cref="IllustrationNames"/> name and task queue.</summary>
    public static DurableTaskRegistry AddIllustration(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<IllustrateManuscriptOrchestrator>(IllustrationNames.IllustrateManuscript)
            .AddOrchestrator<IllustrateBatchOrchestrator>(IllustrationNames.IllustrateBatch)
            .AddOrchestrator<GenerateDatasetOrchestrator>(IllustrationNames.GenerateDataset)
            .AddActivity<PlanManuscriptActivity>(IllustrationNames.PlanManuscript, IllustrationNames.DefaultQueue)
            .AddActivity<IllustrateStepActivity>(IllustrationNames.IllustrateStep, IllustrationNames.GpuQueue)
            .AddActivity<AssembleBookActivity>(IllustrationNames.AssembleBook, IllustrationNames.DefaultQueue)
            .AddActivity<WriteDatasetManifestActivity>(IllustrationNames.WriteDatasetManifest, IllustrationNames.DefaultQueue);
    }

    /// <summary>
    /// Everything a process of the app needs, on <paramref name="account"/>'s blobs and queues: the settings, the
    /// task hub (hub name, partitions and JSON from <paramref name="settings"/>), the orchestrators and activities,
    /// <see cref="ManuscriptSubmitter"/>, the model source (loaded on first use; register your own
    /// <see cref="IIllustratorSource"/> before calling to replace it) and, when <paramref name="configureWorker"/> is
    /// given, a worker serving <see cref="MiniGpt5Settings.TaskQueues"/> with the settings' concurrency caps.
    /// Returns the durable builder for more registrations.
    /// </summary>
    public static DurableTaskBuilder AddMiniGpt5App(
        this IServiceCollection services,
        MiniGpt5Settings settings,
        StorageAccount account,
        Action<DurableWorkerOptions>? configureWorker = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(account);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(account);
        services.TryAddSingleton(account.Blobs);
        services.TryAddSingleton(account.Queues);
        services.TryAddSingleton(sp => new ManuscriptSourceCache(sp.GetRequiredService<IBlobStore>(), ManuscriptSubmitter.ReaderSettings(settings)));
        services.TryAddSingleton<IIllustratorSource, ModelIllustratorSource>();
        services.TryAddSingleton<ManuscriptSubmitter>();
        services.TryAddSingleton<ManuscriptIngestion>();
        services.TryAddSingleton<DatasetScheduler>();

        var builder = services.AddDurableTask(o =>
        {
            o.HubName = settings.TaskHub;
            o.PartitionCount = settings.PartitionCount;
            o.ActivityVisibilityTimeout = TimeSpan.FromSeconds(settings.ActivityVisibilityTimeoutSeconds);
            o.JsonSerializerOptions = IllustrationJson.Options;
        });
        builder.Registry.AddIllustration();
        if (configureWorker is not null)
        {
            builder.AddWorker(o =>
            {
                ApplyWorkerSettings(o, settings);
                configureWorker(o);
            });
        }

        return builder;
    }

    /// <summary>
    /// Adds the long-running triggers a host without Azure Functions needs (call after <see cref="AddMiniGpt5App"/>):
    /// polling of <c>manuscripts/</c> every <c>MiniGpt5__IngestionPollSeconds</c>, and the schedule tick on
    /// <c>MiniGpt5__ScheduleCron</c> (every minute by default). Under Functions, the IngestManuscript and RunSchedules
    /// triggers call <see cref="ManuscriptIngestion.IngestBlobAsync"/> and <see cref="DatasetScheduler.RunDueAsync"/> instead.
    /// </summary>
    public static IServiceCollection AddIllustrationTriggers(this IServiceCollection services, bool ingestion = true, bool schedules = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (ingestion)
        {
            services.AddHostedService<IngestionBackgroundService>();
        }

        if (schedules)
        {
            services.AddHostedService<ScheduleBackgroundService>();
        }

        return services;
    }

    /// <summary>Task queues and concurrency caps from the settings: the gpu queue gets <see cref="MiniGpt5Settings.MaxConcurrentGpuActivities"/>.</summary>
    public static void ApplyWorkerSettings(DurableWorkerOptions options, MiniGpt5Settings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        options.TaskQueues = settings.TaskQueues.ToList();
        options.MaxConcurrentActivities = settings.MaxConcurrentActivities;
        options.MaxConcurrentEpisodes = settings.MaxConcurrentOrchestrations;
        options.TaskQueueConcurrency[IllustrationNames.GpuQueue] = settings.MaxConcurrentGpuActivities;
    }
}
