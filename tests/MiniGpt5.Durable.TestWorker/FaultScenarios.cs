using System.Text;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TestWorker;

/// <summary>
/// What the fault tests run in worker processes. Activities leave evidence in the <c>faults</c> container:
/// <c>started/{instance}/{worker}-{n}</c> when a delivery starts, <c>outputs/{instance}/result</c> written
/// create-only (the idempotency contract: a re-run finds it and returns it).
/// </summary>
internal static class FaultScenarios
{
    public const string Container = "faults";

    public static void Register(DurableTaskBuilder b)
    {
        b.AddActivity<WriteOutput>(taskQueue: "gpu");
        b.AddActivity<int, int>("AddOne", async (ctx, value) =>
        {
            await Task.Delay(15, ctx.CancellationToken);
            return value + 1;
        });
        b.AddActivity<string, string>("CrashProcess", (_, _) =>
        {
            Environment.Exit(3);
            return Task.FromResult("unreachable");
        });

        b.AddOrchestrator<WriteRequest, string>("WriteOnce", async (ctx, request) =>
            await ctx.CallActivityAsync<string>(nameof(WriteOutput), request));

        // Sequential steps, then a fan-out: many small episodes, so overlapping owners collide.
        b.AddOrchestrator<int, int>("Chain", async (ctx, n) =>
        {
            var value = 0;
            for (var i = 0; i < n; i++)
            {
                value = await ctx.CallActivityAsync<int>("AddOne", value);
            }

            var fan = await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("AddOne", i)));
            return value + fan.Sum();
        });

        b.AddOrchestrator<string, string>("CallsCrash", async (ctx, _) =>
        {
            try
            {
                return await ctx.CallActivityAsync<string>("CrashProcess", "x");
            }
            catch (TaskFailedException e)
            {
                return e.Failure.ErrorType;
            }
        });
    }
}

/// <summary>Input of <see cref="WriteOutput"/>.</summary>
internal sealed record WriteRequest(int DelayMs);

/// <summary>A slow step with a create-only output, like a GPU illustration step.</summary>
internal sealed class WriteOutput(IBlobStore blobs, WorkerIdentity identity) : IActivity<WriteRequest, string>
{
    public async Task<string> RunAsync(ActivityContext context, WriteRequest input)
    {
        await Put($"started/{context.InstanceId}/{identity.Id}-{Guid.NewGuid():N}", identity.Id, null, context.CancellationToken);
        await Task.Delay(input.DelayMs, context.CancellationToken);
        var output = $"outputs/{context.InstanceId}/result";
        try
        {
            await Put(output, identity.Id, BlobConditions.CreateOnly, context.CancellationToken);
            return identity.Id;
        }
        catch (BlobAlreadyExistsException)
        {
            await using var existing = await blobs.GetAsync(FaultScenarios.Container, output, cancellationToken: context.CancellationToken);
            using var reader = new StreamReader(existing.Content, Encoding.UTF8);
            return await reader.ReadToEndAsync(context.CancellationToken);
        }
    }

    private Task<BlobWriteResult> Put(string name, string text, BlobConditions? conditions, CancellationToken cancellationToken) =>
        blobs.PutAsync(
            FaultScenarios.Container,
            name,
            new MemoryStream(Encoding.UTF8.GetBytes(text)),
            new BlobPutOptions { ContentType = "text/plain", Conditions = conditions },
            cancellationToken);
}

/// <summary>This process's worker id.</summary>
internal sealed record WorkerIdentity(string Id);
