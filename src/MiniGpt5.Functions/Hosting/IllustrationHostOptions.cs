using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Functions.Hosting;

/// <summary>How <see cref="IllustrationHost"/> runs.</summary>
public sealed record IllustrationHostOptions
{
    /// <summary>Run a durable worker in this process (false: a client only, for <c>status</c> and <c>cancel</c>).</summary>
    public bool RunWorker { get; init; } = true;

    /// <summary>Whether the worker runs orchestrations (false for a pure GPU activity worker).</summary>
    public bool RunOrchestrations { get; init; } = true;

    /// <summary>The model source; null loads the settings' model on first use.</summary>
    public IIllustratorSource? Illustrator { get; init; }

    /// <summary>Extra task hub settings (test timings, for example).</summary>
    public Action<DurableTaskHubOptions>? ConfigureHub { get; init; }

    /// <summary>Extra worker settings.</summary>
    public Action<DurableWorkerOptions>? ConfigureWorker { get; init; }

    /// <summary>Logging setup; null logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
