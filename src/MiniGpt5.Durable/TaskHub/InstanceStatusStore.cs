using System.Globalization;
using System.Text.Json;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Status documents in <c>{hub}-instances</c>, one blob per instance named by its id. The fields queries filter
/// on (status, name, version, execution, created, updated) are copied into blob metadata, so a listing page
/// answers a query without reading each document.
/// </summary>
internal sealed class InstanceStatusStore(IBlobStore blobs, TaskHubNames names, StorageRetry retry)
{
    private static readonly JsonSerializerOptions Json = DurableJson.Options;

    public async Task<StoredStatus?> ReadAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(
                "read status",
                async ct =>
                {
                    await using var download = await blobs.GetAsync(names.InstancesContainer, TaskHubNames.StatusBlob(instanceId), cancellationToken: ct);
                    var document = await JsonSerializer.DeserializeAsync<InstanceStatusDocument>(download.Content, Json, ct)
                        ?? throw new JsonException("empty document");
                    return new StoredStatus(document, download.Properties.ETag);
                },
                cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the document: create-only when <paramref name="etag"/> is null, else only over that ETag.
    /// Throws <see cref="BlobAlreadyExistsException"/> or <see cref="BlobConditionFailedException"/> on a conflict.
    /// </summary>
    public async Task<string> WriteAsync(InstanceStatusDocument document, string? etag, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, Json);
        var options = new BlobPutOptions
        {
            ContentType = "application/json",
            Metadata = ToMetadata(document),
            Conditions = etag is null ? BlobConditions.CreateOnly : BlobConditions.IfETagMatches(etag),
        };
        var result = await retry.RunAsync(
            "write status",
            ct => blobs.PutAsync(names.InstancesContainer, TaskHubNames.StatusBlob(document.InstanceId), new MemoryStream(bytes, writable: false), options, ct),
            cancellationToken);
        return result.ETag;
    }

    public Task<bool> DeleteAsync(string instanceId, string? etag, CancellationToken cancellationToken) =>
        retry.RunAsync(
            "delete status",
            ct => blobs.DeleteAsync(names.InstancesContainer, TaskHubNames.StatusBlob(instanceId), etag is null ? null : BlobConditions.IfETagMatches(etag), ct),
            cancellationToken);

    /// <summary>The queryable fields of one instance, from blob properties only (a HEAD request).</summary>
    public async Task<StatusHead?> ReadHeadAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await retry.RunAsync(
                "read status properties",
                ct => blobs.GetPropertiesAsync(names.InstancesContainer, TaskHubNames.StatusBlob(instanceId), ct),
                cancellationToken);
            return FromMetadata(instanceId, properties.Metadata);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>One listing page of status heads, optionally under an instance id prefix.</summary>
    public async Task<(IReadOnlyList<StatusHead> Heads, string? ContinuationToken)> ListAsync(
        string? prefix,
        int pageSize,
        string? continuationToken,
        CancellationToken cancellationToken)
    {
        var page = await retry.RunAsync(
            "list instances",
            ct => blobs.ListPageAsync(
                names.InstancesContainer,
                new BlobListOptions(Prefix: prefix, PageSize: pageSize, IncludeMetadata: true),
                continuationToken,
                ct),
            cancellationToken);
        var heads = new List<StatusHead>(page.Blobs.Count);
        foreach (var blob in page.Blobs)
        {
            if (blob.Metadata is { } metadata && FromMetadata(blob.Name, metadata) is { } head)
            {
                heads.Add(head);
            }
        }

        return (heads, page.ContinuationToken);
    }

    private static Dictionary<string, string> ToMetadata(InstanceStatusDocument d) => new(StringComparer.Ordinal)
    {
        ["status"] = d.Status.ToString(),
        ["name"] = TaskHubNames.EncodeMetadata(d.Name),
        ["version"] = TaskHubNames.EncodeMetadata(d.Version),
        ["execution"] = d.ExecutionId,
        ["created"] = d.CreatedAt.ToString("o", CultureInfo.InvariantCulture),
        ["updated"] = d.LastUpdatedAt.ToString("o", CultureInfo.InvariantCulture),
    };

    private static StatusHead? FromMetadata(string instanceId, IReadOnlyDictionary<string, string> metadata)
    {
        string? Get(string key)
        {
            foreach (var (k, v) in metadata)
            {
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                {
                    return v;
                }
            }

            return null;
        }

        if (Get("status") is not { } status || !Enum.TryParse<OrchestrationRuntimeStatus>(status, out var runtimeStatus))
        {
            return null;
        }

        return new StatusHead(
            instanceId,
            TaskHubNames.DecodeMetadata(Get("name") ?? string.Empty),
            TaskHubNames.DecodeMetadata(Get("version") ?? string.Empty),
            Get("execution") ?? string.Empty,
            runtimeStatus,
            ParseTime(Get("created")),
            ParseTime(Get("updated")));
    }

    private static DateTime ParseTime(string? value) =>
        value is not null && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : DateTime.MinValue;
}

/// <summary>A status document with the ETag it was read at.</summary>
internal sealed record StoredStatus(InstanceStatusDocument Document, string ETag);

/// <summary>The queryable fields of an instance, from blob metadata.</summary>
internal sealed record StatusHead(
    string InstanceId,
    string Name,
    string Version,
    string ExecutionId,
    OrchestrationRuntimeStatus Status,
    DateTime CreatedAt,
    DateTime LastUpdatedAt);
