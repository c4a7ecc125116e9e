using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Schedules;

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

    /// <summary>How far the host's <c>sys.UtcNow</c> may be from this process's clock and still name the due time.</summary>
    public static readonly TimeSpan MaxHostClockSkew = TimeSpan.FromMinutes(5);

    private const string InvocationKey = "MiniGpt5.FunctionsInvocation";

    /// <summary>Maps <c>POST /IngestManuscript</c> and <c>POST /RunSchedules</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/IngestManuscript", IngestAsync).WithMetadata(ApiAccessMetadata.FunctionsTrigger).WithName("IngestManuscript");
        endpoints.MapPost("/RunSchedules", RunSchedulesAsync).WithMetadata(ApiAccessMetadata.FunctionsTrigger).WithName("RunSchedules");
    }

    /// <summary>
    /// Reads the invocation body and returns its <c>Data.{binding}</c> value, or a 400 problem naming what is missing.
    /// </summary>
    public static async Task<(JsonElement Value, IResult? Problem)> ReadBindingAsync(
        HttpRequest request, string binding, CancellationToken cancellationToken, bool keepBody = false)
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
            if (Property(document.RootElement, "Data") is { ValueKind: JsonValueKind.Object } data && Property(data, binding) is { } value)
            {
                if (keepBody)
                {
                    request.HttpContext.Items[InvocationKey] = document.RootElement.Clone();
                }

                return (value.Clone(), null);
            }

            return (default, ApiProblems.BadRequest($"The invocation payload has no 'Data.{binding}' (expected {{\"Data\": {{\"{binding}\": ...}}, \"Metadata\": {{...}}}})."));
        }
        catch (JsonException e)
        {
            return (default, ApiProblems.BadRequest($"The invocation payload is not JSON: {e.Message}"));
        }
    }

    private static async Task<IResult> IngestAsync(HttpRequest request, ManuscriptIngestion ingestion, CancellationToken cancellationToken)
    {
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

        // Idempotent by name + ETag: a redelivered event, or one for a blob replaced or deleted since, starts nothing.
        var submission = await ingestion.IngestBlobAsync(created.BlobName, created.ETag, cancellationToken);
        return submission is null
            ? Done($"nothing to start for {created.Container}/{created.BlobName} at {created.ETag}: already started, replaced or deleted since")
            : Done($"started {submission.OrchestrationName} {submission.InstanceId} for {created.Container}/{created.BlobName}");
    }

    private static async Task<IResult> RunSchedulesAsync(
        HttpRequest request, DatasetScheduler scheduler, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (_, problem) = await ReadBindingAsync(request, "timer", cancellationToken, keepBody: true);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var logs = new List<string>();
        var due = now;
        if (request.HttpContext.Items[InvocationKey] is JsonElement invocation
            && Property(invocation, "Metadata") is { } metadata && Property(metadata, "sys") is { } sys
            && Property(sys, "UtcNow") is { ValueKind: JsonValueKind.String } utcNow
            && DateTime.TryParse(utcNow.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var hostNow))
        {
            // The host's tick time names the runs (deterministic ids across a double fire); a time far from our clock
            // is not a tick (a replayed or forged call) and must not start runs for another day.
            if ((hostNow - now).Duration() <= MaxHostClockSkew)
            {
                due = hostNow;
            }
            else
            {
                logs.Add($"sys.UtcNow {hostNow:O} is more than {MaxHostClockSkew.TotalMinutes:0} minutes from this host's clock; using {now:O}");
                LogSkew(loggers.CreateLogger(typeof(FunctionsTriggerEndpoints)), hostNow, now);
            }
        }

        var (started, log) = await scheduler.RunDueAsync(due, cancellationToken);
        logs.AddRange(log);
        if (started.Count == 0)
        {
            logs.Add($"no schedule due at {due:O}");
        }

        return Done([.. logs]);
    }

    // The host writes PascalCase "Data"/"Metadata" and the binding name as declared; match either case.
    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<FunctionsInvocationResult> Done(params string[] logs) =>
        TypedResults.Ok(new FunctionsInvocationResult(logs));

    [LoggerMessage(Level = LogLevel.Warning, Message = "RunSchedules: sys.UtcNow {HostNow} is far from this host's clock {Now}; using the host clock.")]
    private static partial void LogSkew(ILogger logger, DateTime hostNow, DateTime now);
}
