using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>The <see cref="ActivityContext"/> of one delivery of one scheduled call.</summary>
internal sealed class WorkerActivityContext(ActivityRequest request, CancellationToken cancellationToken) : ActivityContext
{
    public override string Name => request.Name;

    public override string InstanceId => request.InstanceId;

    public override string ExecutionId => request.ExecutionId;

    public override int TaskId => request.TaskId;

    public override int Attempt => request.Attempt;

    public override string TaskQueue => request.TaskQueue;

    public override DateTimeOffset ScheduledAt => new(DateTime.SpecifyKind(request.SentAt, DateTimeKind.Utc));

    public override CancellationToken CancellationToken => cancellationToken;
}
