using Microsoft.Extensions.DependencyInjection;

namespace MiniGpt5.Durable.Hosting;

/// <summary>Registers orchestrators, activities and the worker on a service collection (from <c>AddDurableTask</c>).</summary>
public sealed class DurableTaskBuilder
{
    internal DurableTaskBuilder(IServiceCollection services, DurableTaskRegistry registry)
    {
        Services = services;
        Registry = registry;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The registry the worker and client use.</summary>
    public DurableTaskRegistry Registry { get; }

    /// <inheritdoc cref="DurableTaskRegistry.AddOrchestrator{TOrchestrator}(string?, string?)"/>
    public DurableTaskBuilder AddOrchestrator<TOrchestrator>(string? name = null, string? version = null)
        where TOrchestrator : class
    {
        Registry.AddOrchestrator<TOrchestrator>(name, version);
        return this;
    }

    /// <inheritdoc cref="DurableTaskRegistry.AddOrchestrator{TInput, TOutput}(string, Func{OrchestrationContext, TInput, Task{TOutput}}, string?)"/>
    public DurableTaskBuilder AddOrchestrator<TInput, TOutput>(string name, Func<OrchestrationContext, TInput, Task<TOutput>> run, string? version = null)
    {
        Registry.AddOrchestrator(name, run, version);
        return this;
    }

    /// <inheritdoc cref="DurableTaskRegistry.AddActivity{TActivity}(string?, string?)"/>
    public DurableTaskBuilder AddActivity<TActivity>(string? name = null, string? taskQueue = null)
        where TActivity : class
    {
        Registry.AddActivity<TActivity>(name, taskQueue);
        return this;
    }

    /// <inheritdoc cref="DurableTaskRegistry.AddActivity{TInput, TOutput}(string, Func{ActivityContext, TInput, Task{TOutput}}, string?)"/>
    public DurableTaskBuilder AddActivity<TInput, TOutput>(string name, Func<ActivityContext, TInput, Task<TOutput>> run, string? taskQueue = null)
    {
        Registry.AddActivity(name, run, taskQueue);
        return this;
    }

    /// <summary>Adds the worker as a hosted service (resolvable as <see cref="DurableWorker"/> too).</summary>
    public DurableTaskBuilder AddWorker(Action<DurableWorkerOptions>? configure = null)
    {
        var options = Services.AddOptions<DurableWorkerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        Services.AddSingleton<DurableWorker>();
        Services.AddHostedService(sp => sp.GetRequiredService<DurableWorker>());
        return this;
    }
}
