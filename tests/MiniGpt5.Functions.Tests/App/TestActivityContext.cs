using MiniGpt5.Durable;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>An activity context for calling an activity directly, as a redelivery or a retry would.</summary>
internal sealed class TestActivityContext(string name, int attempt = 1, int taskId = 3) : ActivityContext
{
    public override string Name => name;

    public override string InstanceId => "test-instance";

    public override string ExecutionId => "e1";

    public override int TaskId => taskId;

    public override int Attempt => attempt;

    public override string TaskQueue => "gpu";

    public override DateTimeOffset ScheduledAt => DateTimeOffset.UnixEpoch;

    public override CancellationToken CancellationToken => CancellationToken.None;
}
