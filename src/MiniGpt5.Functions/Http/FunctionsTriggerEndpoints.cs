using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The non-HTTP triggers of the Azure Functions custom-handler package (infra/functions/README.md): the host
/// posts <c>{"Data": {...}, "Metadata": {...}}</c> to <c>/{FunctionName}</c> and wants
/// <see cref="FunctionsInvocationResult"/> back quickly; any other status fails the invocation and a queue message
/// is retried. Both triggers are idempotent, because the host delivers at least once.
/// </summary>
public static partial class FunctionsTriggerEndpoints
{
    /// <summary>Largest invocation payload read (an Event Grid event, or the timer's status).</summary>
    public const int MaxInvocationBytes = 256 * 1024;

    /// <summary>Maps <c>POST /IngestManuscript</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/IngestManuscript", IngestAsync).WithMetadata(ApiAccessMetadata.FunctionsTrigger).WithName("IngestManuscript");
    }

    /// <summary>
    /// Reads the invocation body and returns its <c>Data.{binding}</c> value, or a 400 problem naming what is missing.
    /// </summary>
    public static async Task<(JsonElement Value, IResult? Problem)> ReadBindingAsync(HttpRequest request, string binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await RequestBody.ReadAsync(request, MaxInvocationBytes, cancellationToken);
        if (body is null)
        {
            return (default, ApiProblems.TooLarge(MaxInvocationBytes, "The invocation payload"));
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty(binding, out var value))
            {
                return (value.Clone(), null);
            }

            return (default, ApiProblems.BadRequest($"The invocation payload has no 'Data.{binding}' (expected {{\"Data\": {{\"{binding}\": ...}}, \"Metadata\": {{...}}}})."));
        }
        catch (JsonException e)
        {
            return (default, ApiProblems.BadRequest($"The invocation payload is not JSON: {e.Message}"));
        }
    }

    private static async Task<IResult> IngestAsync(
        HttpRequest request, IBlobStore blobs, ManuscriptSubmitter submitter, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(FunctionsTriggerEndpoints));
        var (value, problem) = await ReadBindingAsync(request, "event", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        BlobCreatedEvent created;
        try
        {
            created = BlobCreatedEvent.Parse(value);
        }
        catch (FormatException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }

        if (created.EventType != BlobCreatedEvent.BlobCreatedType
            || created.Container != ManuscriptSubmitter.ManuscriptsContainer
            || created.BlobName.StartsWith(ManuscriptSubmitter.SubmittedPrefix, StringComparison.Ordinal))
        {
            return Done($"ignored {created.EventType} for {created.Container}/{created.BlobName}");
        }

        if (created.ETag.Length == 0)
        {
            return ApiProblems.BadRequest($"The BlobCreated event for {created.Container}/{created.BlobName} has no data.eTag.");
        }

        // Read the blob at the event's ETag: the id is derived from name + ETag, and the content must match it.
        byte[]? content;
        try
        {
            await using var download = await blobs.GetAsync(
                created.Container, created.BlobName, conditions: BlobConditions.IfETagMatches(created.ETag), cancellationToken: cancellationToken);
            content = await RequestBody.ReadAsync(download.Content, ManuscriptReaderSettings.Default.MaxBatchBytes, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return Done($"skipped {created.Container}/{created.BlobName}: it was deleted before it could be read");
        }
        catch (BlobConditionFailedException)
        {
            // Replaced since: the newer upload raised its own event, which starts its own run.
            return Done($"skipped {created.Container}/{created.BlobName} at {created.ETag}: it has been replaced since");
        }

        if (content is null)
        {
            return Done($"skipped {created.Container}/{created.BlobName}: larger than {ManuscriptReaderSettings.Default.MaxBatchBytes} bytes");
        }

        var submission = await submitter.SubmitBlobAsync(created.BlobName, created.ETag, content, options: null, cancellationToken);
        var verb = submission.AlreadyExisted ? "found" : "started";
        LogIngested(logger, verb, submission.InstanceId, created.BlobName);
        return Done($"{verb} {submission.OrchestrationName} {submission.InstanceId} for {created.Container}/{created.BlobName}");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<FunctionsInvocationResult> Done(params string[] logs) =>
        TypedResults.Ok(new FunctionsInvocationResult(logs));

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {Verb} {InstanceId} for manuscripts/{BlobName}.")]
    private static partial void LogIngested(ILogger logger, string verb, string instanceId, string blobName);
}
