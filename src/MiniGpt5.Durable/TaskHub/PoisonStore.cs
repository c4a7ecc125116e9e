using System.Text.Json;
using MiniGpt5.Durable.Client;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// The poison container <c>{hub}-poison</c>: one JSON blob per message that failed too often
/// (<c>{queue}/{messageId}</c>), keeping the original text so it can be inspected and requeued.
/// </summary>
internal sealed class PoisonStore(IBlobStore blobs, TaskHubNames names, StorageRetry retry)
{
    private static readonly JsonSerializerOptions Json = DurableJson.Options;

    public async Task<string> StoreAsync(string queue, QueueMessage message, string reason, string? instanceId, CancellationToken cancellationToken)
    {
        var name = $"{queue}/{message.MessageId}";
        var info = new PoisonMessageInfo(name, queue, message.MessageId, instanceId, message.DequeueCount, reason, DateTime.UtcNow, message.Text);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(info, Json);
        await retry.RunAsync(
            "store poison message",
            ct => blobs.PutAsync(names.PoisonContainer, name, new MemoryStream(bytes, writable: false), new BlobPutOptions { ContentType = "application/json" }, ct),
            cancellationToken);
        return name;
    }

    public async Task<IReadOnlyList<PoisonMessageInfo>> ListAsync(string? queue, CancellationToken cancellationToken)
    {
        var result = new List<PoisonMessageInfo>();
        string? token = null;
        do
        {
            var page = await retry.RunAsync(
                "list poison messages",
                ct => blobs.ListPageAsync(names.PoisonContainer, new BlobListOptions(Prefix: queue is null ? null : queue + "/"), token, ct),
                cancellationToken);
            foreach (var blob in page.Blobs)
            {
                if (await GetAsync(blob.Name, cancellationToken) is { } info)
                {
                    result.Add(info);
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return result;
    }

    public async Task<PoisonMessageInfo?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(
                "read poison message",
                async ct =>
                {
                    await using var download = await blobs.GetAsync(names.PoisonContainer, name, cancellationToken: ct);
                    return await JsonSerializer.DeserializeAsync<PoisonMessageInfo>(download.Content, Json, ct);
                },
                cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        retry.RunAsync("delete poison message", ct => blobs.DeleteAsync(names.PoisonContainer, name, cancellationToken: ct), cancellationToken);
}
