using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Hosting;

/// <summary>DI registration of the durable runtime.</summary>
public static class DurableServiceCollectionExtensions
{
    /// <summary>
    /// Registers the task hub (on the <see cref="IBlobStore"/> and <see cref="IQueueStore"/> already in the
    /// container), the registry and <see cref="DurableClient"/>. Chain <c>AddOrchestrator</c>,
    /// <c>AddActivity</c> and <c>AddWorker</c> on the result. Calling it twice returns a builder on the same registry.
    /// </summary>
    public static DurableTaskBuilder AddDurableTask(this IServiceCollection services, Action<DurableTaskHubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DurableTaskHubOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(DurableTaskRegistry))?.ImplementationInstance as DurableTaskRegistry;
        var registry = existing ?? new DurableTaskRegistry();
        if (existing is null)
        {
            services.AddSingleton(registry);
        }

        services.TryAddSingleton(sp => new DurableTaskHub(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<IQueueStore>(),
            sp.GetRequiredService<IOptions<DurableTaskHubOptions>>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<DurableClient>();
        return new DurableTaskBuilder(services, registry);
    }
}
