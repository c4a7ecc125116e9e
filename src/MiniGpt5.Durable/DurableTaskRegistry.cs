using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable;

/// <summary>
/// The orchestrators and activities a process knows, by name (case-insensitive). Classes implement
/// <see cref="IOrchestrator{TInput,TOutput}"/> / <see cref="IActivity{TInput,TOutput}"/> and are created
/// through DI (constructor injection) for each execution; delegates are handy for small steps and tests.
/// A process that only orchestrates may register activities just to route them to their task queue.
/// </summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, OrchestratorRegistration> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ActivityRegistration> _activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registered orchestrator names.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => _orchestrators.Keys;

    /// <summary>Registered activity names.</summary>
    public IReadOnlyCollection<string> ActivityNames => _activities.Keys;

    /// <summary>Registers an orchestrator class. The name defaults to the class name; the version (default empty) is stamped on instances that do not ask for one.</summary>
    public DurableTaskRegistry AddOrchestrator<TOrchestrator>(string? name = null, string? version = null)
        where TOrchestrator : class
    {
        var type = typeof(TOrchestrator);
        var contract = FindContract(type, typeof(IOrchestrator<,>));
        var runner = typeof(ClassOrchestratorRunner<,,>).MakeGenericType(type, contract[0], contract[1]);
        var factory = (Func<IServiceProvider, IOrchestratorRunner>)(sp => (IOrchestratorRunner)Activator.CreateInstance(runner, sp)!);
        return Add(new OrchestratorRegistration(ValidateName(name ?? type.Name, "orchestrator"), version ?? string.Empty, factory));
    }

    /// <summary>Registers an orchestrator delegate.</summary>
    public DurableTaskRegistry AddOrchestrator<TInput, TOutput>(string name, Func<OrchestrationContext, TInput, Task<TOutput>> run, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new OrchestratorRegistration(ValidateName(name, "orchestrator"), version ?? string.Empty, _ => new DelegateOrchestratorRunner<TInput, TOutput>(run)));
    }

    /// <summary>Registers an activity class. The name defaults to the class name; <paramref name="taskQueue"/> (default <c>default</c>) is where calls go unless the caller picks another.</summary>
    public DurableTaskRegistry AddActivity<TActivity>(string? name = null, string? taskQueue = null)
        where TActivity : class
    {
        var type = typeof(TActivity);
        var contract = FindContract(type, typeof(IActivity<,>));
        var invokerType = typeof(ClassActivityInvoker<,,>).MakeGenericType(type, contract[0], contract[1]);
        var invoker = (IActivityInvoker)Activator.CreateInstance(invokerType)!;
        return Add(new ActivityRegistration(ValidateName(name ?? type.Name, "activity"), TaskHubNames.ValidateTaskQueue(taskQueue ?? TaskHubNames.DefaultTaskQueue), invoker));
    }

    /// <summary>Registers an activity delegate.</summary>
    public DurableTaskRegistry AddActivity<TInput, TOutput>(string name, Func<ActivityContext, TInput, Task<TOutput>> run, string? taskQueue = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new ActivityRegistration(
            ValidateName(name, "activity"),
            TaskHubNames.ValidateTaskQueue(taskQueue ?? TaskHubNames.DefaultTaskQueue),
            new DelegateActivityInvoker<TInput, TOutput>(run)));
    }

    internal bool TryGetOrchestrator(string name, out OrchestratorRegistration registration) =>
        _orchestrators.TryGetValue(name, out registration!);

    internal bool TryGetActivity(string name, out ActivityRegistration registration) =>
        _activities.TryGetValue(name, out registration!);

    /// <summary>The task queue a call to <paramref name="activityName"/> goes to when the caller does not say.</summary>
    internal string DefaultTaskQueueFor(string activityName) =>
        _activities.TryGetValue(activityName, out var registration) ? registration.TaskQueue : TaskHubNames.DefaultTaskQueue;

    private DurableTaskRegistry Add(OrchestratorRegistration registration)
    {
        if (!_orchestrators.TryAdd(registration.Name, registration))
        {
            throw new ArgumentException($"An orchestrator named '{registration.Name}' is already registered.", nameof(registration));
        }

        return this;
    }

    private DurableTaskRegistry Add(ActivityRegistration registration)
    {
        if (!_activities.TryAdd(registration.Name, registration))
        {
            throw new ArgumentException($"An activity named '{registration.Name}' is already registered.", nameof(registration));
        }

        return this;
    }

    private static Type[] FindContract(Type type, Type openInterface)
    {
        if (type.IsAbstract || type.IsInterface)
        {
            throw new ArgumentException($"'{type.FullName}' must be a concrete class.", nameof(type));
        }

        var matches = type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface).ToArray();
        return matches.Length switch
        {
            1 => matches[0].GetGenericArguments(),
            0 => throw new ArgumentException($"'{type.FullName}' does not implement {openInterface.Name.Split('`')[0]}<TInput, TOutput>.", nameof(type)),
            _ => throw new ArgumentException($"'{type.FullName}' implements {openInterface.Name.Split('`')[0]}<,> more than once; register a class with one contract.", nameof(type)),
        };
    }

    internal static string ValidateName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256 || name.Any(char.IsControl))
        {
            throw new ArgumentException($"The {what} name '{name}' is invalid: use 1-256 printable characters.", nameof(name));
        }

        return name;
    }
}

/// <summary>An orchestrator known to the registry.</summary>
internal sealed record OrchestratorRegistration(string Name, string Version, Func<IServiceProvider, IOrchestratorRunner> CreateRunner);

/// <summary>An activity known to the registry.</summary>
internal sealed record ActivityRegistration(string Name, string TaskQueue, IActivityInvoker Invoker);

/// <summary>Runs one orchestrator execution from JSON input to JSON output.</summary>
internal interface IOrchestratorRunner
{
    Task<string?> RunAsync(OrchestrationContext context, string? input, JsonSerializerOptions json);
}

/// <summary>Runs one activity call from JSON input to JSON output.</summary>
internal interface IActivityInvoker
{
    Task<string?> InvokeAsync(IServiceProvider services, ActivityContext context, string? input, JsonSerializerOptions json);
}

internal sealed class ClassOrchestratorRunner<TOrchestrator, TInput, TOutput>(IServiceProvider services) : IOrchestratorRunner
    where TOrchestrator : class, IOrchestrator<TInput, TOutput>
{
    public async Task<string?> RunAsync(OrchestrationContext context, string? input, JsonSerializerOptions json)
    {
        var orchestrator = ActivatorUtilities.GetServiceOrCreateInstance<TOrchestrator>(services);
        var typedInput = PayloadJson.Deserialize<TInput>(input, json);
        var output = await orchestrator.RunAsync(context, typedInput);
        return PayloadJson.Serialize(output, json);
    }
}

internal sealed class DelegateOrchestratorRunner<TInput, TOutput>(Func<OrchestrationContext, TInput, Task<TOutput>> run) : IOrchestratorRunner
{
    public async Task<string?> RunAsync(OrchestrationContext context, string? input, JsonSerializerOptions json)
    {
        var output = await run(context, PayloadJson.Deserialize<TInput>(input, json));
        return PayloadJson.Serialize(output, json);
    }
}

internal sealed class ClassActivityInvoker<TActivity, TInput, TOutput> : IActivityInvoker
    where TActivity : class, IActivity<TInput, TOutput>
{
    public async Task<string?> InvokeAsync(IServiceProvider services, ActivityContext context, string? input, JsonSerializerOptions json)
    {
        // A class registered in DI is owned (and disposed) by the scope; one we create here is ours to dispose.
        var isService = services.GetService<IServiceProviderIsService>()?.IsService(typeof(TActivity)) == true;
        var activity = isService ? services.GetRequiredService<TActivity>() : ActivatorUtilities.CreateInstance<TActivity>(services);
        try
        {
            var output = await activity.RunAsync(context, PayloadJson.Deserialize<TInput>(input, json));
            return PayloadJson.Serialize(output, json);
        }
        finally
        {
            if (!isService)
            {
                switch (activity)
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
        }
    }
}

internal sealed class DelegateActivityInvoker<TInput, TOutput>(Func<ActivityContext, TInput, Task<TOutput>> run) : IActivityInvoker
{
    public async Task<string?> InvokeAsync(IServiceProvider services, ActivityContext context, string? input, JsonSerializerOptions json)
    {
        var output = await run(context, PayloadJson.Deserialize<TInput>(input, json));
        return PayloadJson.Serialize(output, json);
    }
}
