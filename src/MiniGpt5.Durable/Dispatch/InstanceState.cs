using MiniGpt5.Durable.History;
using MiniGpt5.Durable.Replay;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// What a worker knows about one instance between episodes: its status document and ETag, where its current
/// execution's history ends (the append position that guards the next checkpoint), and the live executor.
/// Cached in <see cref="SessionCache"/>; rebuilt from storage when absent.
/// </summary>
internal sealed class InstanceState(string instanceId)
{
    public string InstanceId { get; } = instanceId;

    /// <summary>The status document as last read or written, with its ETag; null when there is none.</summary>
    public StoredStatus? Status { get; set; }

    /// <summary>The execution whose history we hold (may differ from the document's while a ContinueAsNew is repaired).</summary>
    public string? ExecutionId { get; set; }

    /// <summary>The current execution's first event (stored form).</summary>
    public ExecutionStartedEvent? Started { get; set; }

    public bool HistoryExists { get; set; }

    public long AppendPosition { get; set; }

    public int Checkpoint { get; set; }

    public int Blocks { get; set; }

    public int HistoryEvents { get; set; }

    /// <summary>The history ended (Completed, Failed, Terminated), or the document is terminal without history.</summary>
    public bool IsTerminal { get; set; }

    /// <summary>The live orchestration (null when terminal, not started, or not yet rebuilt).</summary>
    public OrchestrationExecutor? Executor { get; set; }

    public DateTime LastUsedUtc { get; set; } = DateTime.UtcNow;

    /// <summary>The custom status JSON the code set last, and its stored form (inline or a payload reference).</summary>
    public string? CustomStatusRaw { get; set; }

    public string? CustomStatusStored { get; set; }

    /// <summary>Every execution id this state has held: status documents naming one of them are ours to overwrite.</summary>
    public HashSet<string> KnownExecutions { get; } = new(StringComparer.Ordinal);

    /// <summary>A status document exists for an execution that has no history yet (a client start on its way).</summary>
    public bool IsPendingWithoutHistory => Status is not null && !HistoryExists && !IsTerminal;

    /// <summary>Resets to a brand-new execution.</summary>
    public void BeginExecution(ExecutionStartedEvent started)
    {
        ExecutionId = started.ExecutionId;
        KnownExecutions.Add(started.ExecutionId);
        Started = started;
        HistoryExists = false;
        AppendPosition = 0;
        Checkpoint = 0;
        Blocks = 0;
        HistoryEvents = 0;
        IsTerminal = false;
        Executor = null;
        CustomStatusRaw = null;
        CustomStatusStored = null;
    }
}
