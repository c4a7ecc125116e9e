using System.Globalization;

namespace MiniGpt5.Durable.TestWorker;

/// <summary>Command line of the test worker: <c>--name value</c> pairs; <c>--task-queue</c> may repeat.</summary>
internal sealed record WorkerArguments
{
    public required string Storage { get; init; }

    public required string Hub { get; init; }

    public string WorkerId { get; init; } = $"worker-{Environment.ProcessId}";

    public int Partitions { get; init; } = 2;

    public bool Orchestrations { get; init; } = true;

    public IReadOnlyList<string> TaskQueues { get; init; } = ["default"];

    public double LeaseRenewSeconds { get; init; } = 1;

    public double VisibilitySeconds { get; init; } = 3;

    public int MaxDequeueCount { get; init; } = 5;

    public static WorkerArguments Parse(string[] args)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}' at position {i}.");
            }

            var key = args[i][2..];
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(args[i + 1]);
        }

        string Required(string key) => values.TryGetValue(key, out var v) ? v[^1] : throw new ArgumentException($"--{key} is required.");
        string? Optional(string key) => values.TryGetValue(key, out var v) ? v[^1] : null;
        double Number(string key, double fallback) => Optional(key) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;

        var parsed = new WorkerArguments
        {
            Storage = Required("storage"),
            Hub = Required("hub"),
            Partitions = (int)Number("partitions", 2),
            Orchestrations = !string.Equals(Optional("orchestrations"), "false", StringComparison.OrdinalIgnoreCase),
            TaskQueues = values.TryGetValue("task-queue", out var queues) ? queues : ["default"],
            LeaseRenewSeconds = Number("lease-renew", 1),
            VisibilitySeconds = Number("visibility", 3),
            MaxDequeueCount = (int)Number("max-dequeue", 5),
        };
        return Optional("worker-id") is { } id ? parsed with { WorkerId = id } : parsed;
    }
}
