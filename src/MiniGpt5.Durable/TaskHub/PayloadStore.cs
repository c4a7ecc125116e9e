using System.Text;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Large payloads as blobs in <c>{hub}-payloads/{instanceId}/{guid}</c>, passed by a <c>@blob:</c> reference.
/// A payload is JSON text, and JSON text never starts with <c>@</c>, so a reference cannot be mistaken for a
/// value. Blobs are written create-only under fresh names and deleted when the instance is purged.
/// </summary>
internal sealed class PayloadStore(IBlobStore blobs, TaskHubNames names, StorageRetry retry, int inlineLimitBytes)
{
    public const string ReferencePrefix = "@blob:";

    public static bool IsReference(string? value) => value is not null && value.StartsWith(ReferencePrefix, StringComparison.Ordinal);

    public int InlineLimitBytes => inlineLimitBytes;

    /// <summary>Returns <paramref name="json"/> itself when small, else stores it and returns a reference.</summary>
    public async Task<string?> OffloadIfLargeAsync(string instanceId, string? json, CancellationToken cancellationToken)
    {
        if (json is null || IsReference(json) || Encoding.UTF8.GetByteCount(json) <= inlineLimitBytes)
        {
            return json;
        }

        return ReferencePrefix + await StoreAsync(instanceId, json, cancellationToken);
    }

    /// <summary>Stores <paramref name="text"/> under a new name and returns the name.</summary>
    public async Task<string> StoreAsync(string instanceId, string text, CancellationToken cancellationToken)
    {
        var name = TaskHubNames.PayloadPrefix(instanceId) + Guid.NewGuid().ToString("N");
        var bytes = Encoding.UTF8.GetBytes(text);
        await retry.RunAsync(
            "store payload",
            async ct =>
            {
                try
                {
                    await blobs.PutAsync(
                        names.PayloadsContainer,
                        name,
                        new MemoryStream(bytes, writable: false),
                        new BlobPutOptions { ContentType = "application/json", Conditions = BlobConditions.CreateOnly },
                        ct);
                }
                catch (BlobAlreadyExistsException)
                {
                    // A retry of a put whose first answer was lost; the name is ours alone.
                }
            },
            cancellationToken);
        return name;
    }

    /// <summary>Returns the value a reference points at, or the value itself.</summary>
    public async Task<string?> ResolveAsync(string? value, CancellationToken cancellationToken)
    {
        if (!IsReference(value))
        {
            return value;
        }

        return await ReadAsync(value![ReferencePrefix.Length..], cancellationToken);
    }

    public async Task<string> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(
                "read payload",
                async ct =>
                {
                    await using var download = await blobs.GetAsync(names.PayloadsContainer, name, cancellationToken: ct);
                    using var reader = new StreamReader(download.Content, Encoding.UTF8);
                    return await reader.ReadToEndAsync(ct);
                },
                cancellationToken);
        }
        catch (BlobNotFoundException e)
        {
            throw new PayloadMissingException($"Payload blob '{names.PayloadsContainer}/{name}' is missing (was the instance purged?).", e);
        }
    }

    /// <summary>Deletes every payload of an instance; returns how many.</summary>
    public Task<int> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
        BlobPrefix.DeleteAllAsync(blobs, retry, names.PayloadsContainer, TaskHubNames.PayloadPrefix(instanceId), cancellationToken);
}

/// <summary>A payload reference points at a blob that does not exist.</summary>
internal sealed class PayloadMissingException(string message, Exception inner) : Exception(message, inner);

/// <summary>Deletes every blob under a prefix, page by page.</summary>
internal static class BlobPrefix
{
    public static async Task<int> DeleteAllAsync(IBlobStore blobs, StorageRetry retry, string container, string prefix, CancellationToken cancellationToken)
    {
        var deleted = 0;
        string? token = null;
        do
        {
            var page = await retry.RunAsync(
                "list for delete",
                ct => blobs.ListPageAsync(container, new BlobListOptions(Prefix: prefix, PageSize: 500), token, ct),
                cancellationToken);
            foreach (var blob in page.Blobs)
            {
                if (await retry.RunAsync("delete blob", ct => blobs.DeleteAsync(container, blob.Name, cancellationToken: ct), cancellationToken))
                {
                    deleted++;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return deleted;
    }
}
