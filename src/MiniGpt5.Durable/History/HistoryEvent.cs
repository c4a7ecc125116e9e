using System.Text.Json.Serialization;

namespace MiniGpt5.Durable.History;

/// <summary>
/// One step in an orchestration execution's event-sourced history. Scheduling events carry the sequence
/// number (<c>EventId</c>) the orchestrator code assigned to the step; completion events point back at it.
/// Payload fields hold JSON text, or a <c>@blob:</c> reference when the payload was offloaded.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "t")]
[JsonDerivedType(typeof(OrchestratorStartedEvent), "OrchestratorStarted")]
[JsonDerivedType(typeof(ExecutionStartedEvent), "ExecutionStarted")]
[JsonDerivedType(typeof(TaskScheduledEvent), "TaskScheduled")]
[JsonDerivedType(typeof(TaskCompletedEvent), "TaskCompleted")]
[JsonDerivedType(typeof(TaskFailedEvent), "TaskFailed")]
[JsonDerivedType(typeof(TimerCreatedEvent), "TimerCreated")]
[JsonDerivedType(typeof(TimerFiredEvent), "TimerFired")]
[JsonDerivedType(typeof(SubOrchestrationCreatedEvent), "SubOrchestrationCreated")]
[JsonDerivedType(typeof(SubOrchestrationCompletedEvent), "SubOrchestrationCompleted")]
[JsonDerivedType(typeof(SubOrchestrationFailedEvent), "SubOrchestrationFailed")]
[JsonDerivedType(typeof(EventSentEvent), "EventSent")]
[JsonDerivedType(typeof(EventRaisedEvent), "EventRaised")]
[JsonDerivedType(typeof(ExecutionSuspendedEvent), "ExecutionSuspended")]
[JsonDerivedType(typeof(ExecutionResumedEvent), "ExecutionResumed")]
[JsonDerivedType(typeof(ExecutionTerminatedEvent), "ExecutionTerminated")]
[JsonDerivedType(typeof(ExecutionCompletedEvent), "ExecutionCompleted")]
internal abstract record HistoryEvent
{
    /// <summary>When the event was created (UTC, wall clock of the writer).</summary>
    public DateTime Timestamp { get; init; }
}

/// <summary>Starts an episode; its timestamp is the orchestration's deterministic "now" for that episode.</summary>
internal sealed record OrchestratorStartedEvent : HistoryEvent;

/// <summary>First event of an execution.</summary>
internal sealed record ExecutionStartedEvent(
    string Name,
    string Version,
    string ExecutionId,
    string? Input,
    ParentOrchestrationInfo? Parent = null,
    DateTime? ScheduledStartTime = null) : HistoryEvent;

/// <summary>The orchestrator scheduled an activity.</summary>
internal sealed record TaskScheduledEvent(int EventId, string Name, string? Input, string TaskQueue, int Attempt) : HistoryEvent;

/// <summary>An activity returned.</summary>
internal sealed record TaskCompletedEvent(int TaskScheduledId, string? Result) : HistoryEvent;

/// <summary>An activity threw, was not registered, or its message was poisoned.</summary>
internal sealed record TaskFailedEvent(int TaskScheduledId, FailureDetails Failure) : HistoryEvent;

/// <summary>The orchestrator created a durable timer.</summary>
internal sealed record TimerCreatedEvent(int EventId, DateTime FireAt) : HistoryEvent;

/// <summary>A durable timer fired. <see cref="TimerId"/> -1 is the deferred start of a scheduled instance.</summary>
internal sealed record TimerFiredEvent(int TimerId, DateTime FireAt) : HistoryEvent
{
    /// <summary>The timer id of a scheduled start.</summary>
    public const int StartTimerId = -1;
}

/// <summary>The orchestrator started a sub-orchestration.</summary>
internal sealed record SubOrchestrationCreatedEvent(
    int EventId,
    string Name,
    string Version,
    string InstanceId,
    string ExecutionId,
    string? Input) : HistoryEvent;

/// <summary>A sub-orchestration completed.</summary>
internal sealed record SubOrchestrationCompletedEvent(int TaskScheduledId, string? Result) : HistoryEvent;

/// <summary>A sub-orchestration failed or was terminated.</summary>
internal sealed record SubOrchestrationFailedEvent(int TaskScheduledId, FailureDetails Failure) : HistoryEvent;

/// <summary>The orchestrator raised an event on another instance.</summary>
internal sealed record EventSentEvent(int EventId, string InstanceId, string Name, string? Input) : HistoryEvent;

/// <summary>An external event arrived. <see cref="EventId"/> is unique per raise, for de-duplication.</summary>
internal sealed record EventRaisedEvent(string EventId, string Name, string? Input) : HistoryEvent;

/// <summary>The instance was suspended.</summary>
internal sealed record ExecutionSuspendedEvent(string? Reason) : HistoryEvent;

/// <summary>The instance was resumed.</summary>
internal sealed record ExecutionResumedEvent(string? Reason) : HistoryEvent;

/// <summary>The instance was terminated.</summary>
internal sealed record ExecutionTerminatedEvent(string? Reason) : HistoryEvent;

/// <summary>
/// Last event of an execution. For <see cref="OrchestrationRuntimeStatus.ContinuedAsNew"/>, <see cref="Result"/>
/// is the new input, <see cref="NextExecutionId"/> the next execution and <see cref="CarriedEvents"/> the
/// unprocessed events it inherits.
/// </summary>
internal sealed record ExecutionCompletedEvent(
    OrchestrationRuntimeStatus Status,
    string? Result,
    FailureDetails? Failure = null,
    string? NextExecutionId = null,
    IReadOnlyList<EventRaisedEvent>? CarriedEvents = null) : HistoryEvent;
