using System.Buffers;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// <see cref="IBlobStore"/> over the Azure Blob REST API (Azure and Azurite), written on Azure.Core's pipeline
/// without the Azure.Storage SDK. Small seekable streams go up in one Put Blob; large or unseekable ones as
/// parallel Put Block calls (equal-length block ids) committed by one Put Block List, so a failed upload never
/// leaves a partial blob. Downloads stream (x-ms-range for ranges).
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private const long DefaultSingleShotLimit = 32L * 1024 * 1024;
    private const int DefaultBlockSize = 8 * 1024 * 1024;
    private const int MaxBlockSize = 100 * 1024 * 1024;
    private const int DefaultParallelism = 4;
    private const int MaxBlocks = 50_000;

    private readonly AzureRestClient _client;

    internal AzureBlobStore(AzureRestClient client) => _client = client;

    /// <summary>The blob service URL.</summary>
    public Uri Endpoint => _client.Endpoint;

    /// <inheritdoc />
    public async Task<bool> CreateContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        using var message = CreateMessage(RequestMethod.Put, container, null, ("restype", "container"));
        var response = await SendAsync(message, Operation("Create container", container), cancellationToken, (s, c) => s == 409 && c == "ContainerAlreadyExists")
            .ConfigureAwait(false);
        return response.Status == 201;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        using var message = CreateMessage(RequestMethod.Delete, container, null, ("restype", "container"));
        var response = await SendAsync(message, Operation("Delete container", container), cancellationToken, (s, _) => s == 404)
            .ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> PutAsync(
        string container,
        string name,
        Stream content,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Validate(container, name);
        StorageNames.ValidateMetadata(options?.Metadata);
        StorageNames.ValidateConditions(options?.Conditions);
        var singleShotLimit = options?.SingleShotLimit ?? DefaultSingleShotLimit;
        var blockSize = options?.BlockSize ?? DefaultBlockSize;
        var parallelism = options?.MaxParallelism ?? DefaultParallelism;
        if (blockSize is < 1 or > MaxBlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), blockSize, $"BlockSize is 1 byte to {MaxBlockSize} bytes.");
        }

        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), parallelism, "MaxParallelism is at least 1.");
        }

        if (content.CanSeek && content.Length - content.Position <= singleShotLimit)
        {
            return await PutBlobAsync(container, name, RequestContent.Create(new NonClosingStream(content)), options, cancellationToken)
                .ConfigureAwait(false);
        }

        // Unseekable (or large): read the first block; if the stream ends inside it, one Put Blob is enough.
        var first = ArrayPool<byte>.Shared.Rent(blockSize);
        var firstLength = await FillAsync(content, first, blockSize, cancellationToken).ConfigureAwait(false);
        if (firstLength < blockSize && firstLength <= singleShotLimit)
        {
            try
            {
                return await PutBlobAsync(container, name, RequestContent.Create(first.AsMemory(0, firstLength)), options, cancellationToken)
                    .ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(first);
            }
        }

        return await PutBlocksAsync(container, name, content, first, firstLength, blockSize, parallelism, options, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<BlobDownload> GetAsync(
        string container,
        string name,
        BlobRange? range = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        StorageNames.ValidateRange(range);
        StorageNames.ValidateConditions(conditions);
        using var message = CreateMessage(RequestMethod.Get, container, name);
        message.BufferResponse = false;
        if (range is { } r)
        {
            var end = r.Length is { } length ? (r.Offset + length - 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
            message.Request.Headers.SetValue("x-ms-range", $"bytes={r.Offset.ToString(CultureInfo.InvariantCulture)}-{end}");
        }

        ApplyConditions(message.Request, conditions);
        var response = await SendAsync(message, Operation("Get blob", container, name), cancellationToken).ConfigureAwait(false);
        var total = TotalLength(response);
        if (range is { } asked && asked.Offset >= total)
        {
            // Azure answers 416 here; Azurite 3.35 answers 206 with no bytes when the range starts exactly at the end.
            throw new StorageException($"Get blob on blob '{name}' in container '{container}' of account '{_client.Account}': range starting at {asked.Offset} is outside the blob, which is {total} bytes long.")
            {
                Status = 416,
                ErrorCode = "InvalidRange",
            };
        }

        var properties = ReadProperties(container, name, response, total);
        var stream = message.ExtractResponseContent() ?? new MemoryStream();
        return new BlobDownload(properties, stream, range);
    }

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        using var message = CreateMessage(RequestMethod.Head, container, name);
        var response = await SendAsync(message, Operation("Get blob properties", container, name), cancellationToken).ConfigureAwait(false);
        return ReadProperties(container, name, response, TotalLength(response));
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> SetMetadataAsync(
        string container,
        string name,
        IReadOnlyDictionary<string, string> metadata,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Validate(container, name);
        StorageNames.ValidateMetadata(metadata);
        StorageNames.ValidateConditions(conditions);
        using var message = CreateMessage(RequestMethod.Put, container, name, ("comp", "metadata"));
        ApplyMetadata(message.Request, metadata);
        ApplyConditions(message.Request, conditions);
        var response = await SendAsync(message, Operation("Set blob metadata", container, name), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    /// <inheritdoc />
    public async Task<BlobPage> ListPageAsync(
        string container,
        BlobListOptions? options = null,
        string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        var pageSize = options?.PageSize;
        if (pageSize is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), pageSize, "PageSize is 1 to 5000.");
        }

        using var message = CreateMessage(
            RequestMethod.Get,
            container,
            null,
            ("restype", "container"),
            ("comp", "list"),
            ("prefix", string.IsNullOrEmpty(options?.Prefix) ? null : options.Prefix),
            ("delimiter", string.IsNullOrEmpty(options?.Delimiter) ? null : options.Delimiter),
            ("marker", string.IsNullOrEmpty(continuationToken) ? null : continuationToken),
            ("maxresults", pageSize?.ToString(CultureInfo.InvariantCulture)),
            ("include", options?.IncludeMetadata == true ? "metadata" : null));
        var response = await SendAsync(message, Operation("List blobs", container), cancellationToken).ConfigureAwait(false);
        var document = await XDocument.LoadAsync(response.ContentStream!, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        var root = document.Root ?? throw new StorageException($"List blobs in container '{container}' returned an empty body.");
        var blobs = new List<BlobItem>();
        var prefixes = new List<string>();
        foreach (var element in root.Element("Blobs")?.Elements() ?? [])
        {
            var itemName = ReadName(element.Element("Name"));
            if (element.Name.LocalName == "BlobPrefix")
            {
                prefixes.Add(itemName);
                continue;
            }

            var properties = element.Element("Properties");
            Dictionary<string, string>? metadata = null;
            if (options?.IncludeMetadata == true)
            {
                metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in element.Element("Metadata")?.Elements() ?? [])
                {
                    metadata[entry.Name.LocalName] = entry.Value;
                }
            }

            blobs.Add(new BlobItem(
                itemName,
                long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
                ETagText.Quote(properties?.Element("Etag")?.Value ?? string.Empty),
                ParseDate(properties?.Element("Last-Modified")?.Value),
                NullIfEmpty(properties?.Element("Content-Type")?.Value),
                metadata));
        }

        return new BlobPage(blobs, prefixes, NullIfEmpty(root.Element("NextMarker")?.Value));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(
        string container,
        string name,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        StorageNames.ValidateConditions(conditions);
        using var message = CreateMessage(RequestMethod.Delete, container, name);
        ApplyConditions(message.Request, conditions);
        var response = await SendAsync(message, Operation("Delete blob", container, name), cancellationToken, (s, c) => s == 404 && c == "BlobNotFound")
            .ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <inheritdoc />
    public async Task<string> AcquireLeaseAsync(
        string container,
        string name,
        TimeSpan duration,
        string? proposedLeaseId = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        var seconds = StorageNames.ValidateLeaseDuration(duration);
        StorageNames.ValidateLeaseId(proposedLeaseId, nameof(proposedLeaseId));
        using var message = LeaseMessage(container, name, "acquire");
        message.Request.Headers.SetValue("x-ms-lease-duration", AzureRestClient.Seconds(seconds));
        if (proposedLeaseId is not null)
        {
            message.Request.Headers.SetValue("x-ms-proposed-lease-id", proposedLeaseId);
        }

        var response = await SendAsync(message, Operation("Acquire lease", container, name), cancellationToken).ConfigureAwait(false);
        return Header(response, "x-ms-lease-id")
            ?? throw new StorageException($"Acquire lease on blob '{name}' in container '{container}': the response has no x-ms-lease-id.");
    }

    /// <inheritdoc />
    public async Task RenewLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        using var message = LeaseMessage(container, name, "renew");
        message.Request.Headers.SetValue("x-ms-lease-id", leaseId);
        await SendAsync(message, Operation("Renew lease", container, name), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ReleaseLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        using var message = LeaseMessage(container, name, "release");
        message.Request.Headers.SetValue("x-ms-lease-id", leaseId);
        await SendAsync(message, Operation("Release lease", container, name), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TimeSpan> BreakLeaseAsync(
        string container,
        string name,
        TimeSpan? breakPeriod = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        var seconds = StorageNames.ValidateBreakPeriod(breakPeriod);
        using var message = LeaseMessage(container, name, "break");
        if (seconds is { } s)
        {
            message.Request.Headers.SetValue("x-ms-lease-break-period", AzureRestClient.Seconds(s));
        }

        var response = await SendAsync(message, Operation("Break lease", container, name), cancellationToken).ConfigureAwait(false);
        return TimeSpan.FromSeconds(long.Parse(Header(response, "x-ms-lease-time") ?? "0", CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> CreateAppendBlobAsync(
        string container,
        string name,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        StorageNames.ValidateMetadata(options?.Metadata);
        StorageNames.ValidateConditions(options?.Conditions);
        using var message = CreateMessage(RequestMethod.Put, container, name);
        message.Request.Headers.SetValue("x-ms-blob-type", "AppendBlob");
        ApplyBlobHeaders(message.Request, options);
        var response = await SendAsync(message, Operation("Create append blob", container, name), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    /// <inheritdoc />
    public async Task<BlobAppendResult> AppendBlockAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> block,
        long? expectedAppendPosition = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        Validate(container, name);
        StorageNames.ValidateConditions(conditions);
        if (block.Length is 0 or > StorageNames.MaxAppendBlockBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(block),
                block.Length,
                $"An appended block is 1 byte to {StorageNames.MaxAppendBlockBytes} bytes (blob '{name}' in container '{container}').");
        }

        using var message = CreateMessage(RequestMethod.Put, container, name, ("comp", "appendblock"));
        message.Request.Content = RequestContent.Create(block);
        if (expectedAppendPosition is { } position)
        {
            message.Request.Headers.SetValue("x-ms-blob-condition-appendpos", position.ToString(CultureInfo.InvariantCulture));
        }

        ApplyConditions(message.Request, conditions);
        var response = await SendAsync(message, Operation("Append block", container, name), cancellationToken).ConfigureAwait(false);
        return new BlobAppendResult(
            Header(response, "ETag") ?? string.Empty,
            long.Parse(Header(response, "x-ms-blob-append-offset") ?? "0", CultureInfo.InvariantCulture),
            int.Parse(Header(response, "x-ms-blob-committed-block-count") ?? "0", CultureInfo.InvariantCulture));
    }

    private async Task<BlobWriteResult> PutBlobAsync(string container, string name, RequestContent content, BlobPutOptions? options, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Put, container, name);
        message.Request.Content = content;
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        ApplyBlobHeaders(message.Request, options);
        var response = await SendAsync(message, Operation("Put blob", container, name), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    private async Task<BlobWriteResult> PutBlocksAsync(
        string container,
        string name,
        Stream content,
        byte[] first,
        int firstLength,
        int blockSize,
        int parallelism,
        BlobPutOptions? options,
        CancellationToken cancellationToken)
    {
        // Ids are "{upload}-{index:D6}" in base64: the same length for every block of this upload (the service
        // requires that), and unique per upload, so a concurrent upload of the same blob stages its own blocks.
        var upload = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var leaseId = options?.Conditions?.LeaseId;
        var ids = new List<string>();
        var inFlight = new List<Task>();
        using var throttle = new SemaphoreSlim(parallelism);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = first;
        var length = firstLength;
        Exception? readFailure = null;
        try
        {
            while (true)
            {
                if (ids.Count >= MaxBlocks)
                {
                    throw new ArgumentException(
                        $"Blob '{name}' in container '{container}' would need more than {MaxBlocks} blocks of {blockSize} bytes; raise BlobPutOptions.BlockSize.",
                        nameof(content));
                }

                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{upload}-{ids.Count:D6}"));
                ids.Add(id);
                await throttle.WaitAsync(failed.Token).ConfigureAwait(false);
                inFlight.Add(StageBlockAsync(container, name, id, buffer, length, leaseId, throttle, failed));
                buffer = null!;
                if (length < blockSize)
                {
                    break; // That was the last, partial block.
                }

                buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                length = await FillAsync(content, buffer, blockSize, failed.Token).ConfigureAwait(false);
                if (length == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null!;
                    break;
                }
            }
        }
        catch (Exception e)
        {
            readFailure = e;
            await failed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        // Always wait for the staged blocks (they hold pooled buffers and our token source). A block's own
        // failure wins over the cancellation it caused; a failure reading the source wins over the blocks it cancelled.
        try
        {
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (Exception) when (readFailure is not null and not OperationCanceledException)
        {
        }

        if (readFailure is not null)
        {
            ExceptionDispatchInfo.Throw(readFailure);
        }

        var list = new XElement("BlockList", ids.Select(i => new XElement("Latest", i)));
        using var message = CreateMessage(RequestMethod.Put, container, name, ("comp", "blocklist"));
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(list.ToString(SaveOptions.DisableFormatting)));
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        ApplyBlobHeaders(message.Request, options);
        var response = await SendAsync(message, Operation("Put block list", container, name), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    private async Task StageBlockAsync(
        string container,
        string name,
        string blockId,
        byte[] buffer,
        int length,
        string? leaseId,
        SemaphoreSlim throttle,
        CancellationTokenSource failed)
    {
        try
        {
            using var message = CreateMessage(RequestMethod.Put, container, name, ("comp", "block"), ("blockid", blockId));
            message.Request.Content = RequestContent.Create(buffer.AsMemory(0, length));
            if (leaseId is not null)
            {
                message.Request.Headers.SetValue("x-ms-lease-id", leaseId);
            }

            await SendAsync(message, Operation("Put block", container, name), failed.Token).ConfigureAwait(false);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throttle.Release();
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < count)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private HttpMessage CreateMessage(RequestMethod method, string container, string? blob, params (string Name, string? Value)[] query)
    {
        var message = _client.CreateMessage(method, AzureRestClient.EscapePath(container, blob), query);
        if (method == RequestMethod.Put)
        {
            // The service wants a Content-Length on every PUT, 0 included.
            message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        }

        return message;
    }

    private HttpMessage LeaseMessage(string container, string name, string action)
    {
        var message = CreateMessage(RequestMethod.Put, container, name, ("comp", "lease"));
        message.Request.Headers.SetValue("x-ms-lease-action", action);
        return message;
    }

    private Task<Response> SendAsync(HttpMessage message, StorageOperation operation, CancellationToken cancellationToken, Func<int, string?, bool>? tolerate = null) =>
        _client.SendAsync(message, operation, cancellationToken, tolerate);

    private StorageOperation Operation(string name, string container, string? blob = null) =>
        new(name, _client.Account, Container: container, Blob: blob);

    private static void Validate(string container, string name)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlob(container, name);
    }

    private static void ApplyBlobHeaders(Request request, BlobPutOptions? options)
    {
        if (options?.ContentType is { } contentType)
        {
            request.Headers.SetValue("x-ms-blob-content-type", contentType);
        }

        ApplyMetadata(request, options?.Metadata);
        ApplyConditions(request, options?.Conditions);
    }

    private static void ApplyMetadata(Request request, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Headers.SetValue("x-ms-meta-" + key, value);
        }
    }

    private static void ApplyConditions(Request request, BlobConditions? conditions)
    {
        if (conditions?.IfMatch is { } ifMatch)
        {
            request.Headers.SetValue("If-Match", ETagText.Quote(ifMatch));
        }

        if (conditions?.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.SetValue("If-None-Match", ETagText.Quote(ifNoneMatch));
        }

        if (!string.IsNullOrEmpty(conditions?.LeaseId))
        {
            request.Headers.SetValue("x-ms-lease-id", conditions.LeaseId);
        }
    }

    private static BlobWriteResult WriteResult(Response response) =>
        new(Header(response, "ETag") ?? string.Empty, ParseDate(Header(response, "Last-Modified")));

    private static BlobProperties ReadProperties(string container, string name, Response response, long length)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name["x-ms-meta-".Length..]] = header.Value;
            }
        }

        return new BlobProperties(
            container,
            name,
            length,
            Header(response, "ETag") ?? string.Empty,
            ParseDate(Header(response, "Last-Modified")),
            Header(response, "Content-Type"),
            Header(response, "x-ms-blob-type") == "AppendBlob" ? BlobKind.Append : BlobKind.Block,
            (Header(response, "x-ms-lease-state") ?? "available") switch
            {
                "leased" => BlobLeaseState.Leased,
                "expired" => BlobLeaseState.Expired,
                "breaking" => BlobLeaseState.Breaking,
                "broken" => BlobLeaseState.Broken,
                _ => BlobLeaseState.Available,
            },
            metadata);
    }

    /// <summary>The whole blob's length: from Content-Range ("bytes 0-99/1000") for a range, else Content-Length.</summary>
    private static long TotalLength(Response response)
    {
        if (Header(response, "Content-Range") is { } contentRange)
        {
            var slash = contentRange.LastIndexOf('/');
            if (slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
            {
                return total;
            }
        }

        return long.Parse(Header(response, "Content-Length") ?? "0", CultureInfo.InvariantCulture);
    }

    private static string ReadName(XElement? element)
    {
        var value = element?.Value ?? string.Empty;
        return element?.Attribute("Encoded")?.Value == "true" ? Uri.UnescapeDataString(value) : value;
    }

    private static string? Header(Response response, string name) => response.Headers.TryGetValue(name, out var value) ? value : null;

    private static DateTimeOffset ParseDate(string? value) =>
        value is null ? default : DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
