using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The instance-management routes, shaped like Durable Functions' built-in HTTP API:
/// <c>GET /api/instances/{id}</c>, <c>GET /api/instances</c>, <c>POST /api/instances/{id}/terminate|suspend|resume</c>,
/// <c>POST /api/instances/{id}/raiseEvent/{name}</c>, <c>DELETE /api/instances/{id}</c>.
/// </summary>
public static class InstanceEndpoints
{
    /// <summary>Largest event payload accepted by raiseEvent.</summary>
    public const int MaxEventBytes = 64 * 1024;

    /// <summary>Polling interval suggested to clients (<c>Retry-After</c>) while an instance runs.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Maps the routes onto <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/instances/{instanceId}", GetAsync).WithName("GetInstance");
        api.MapGet("/instances", ListAsync).WithName("ListInstances");
        api.MapPost("/instances/{instanceId}/terminate", TerminateAsync).WithName("TerminateInstance");
        api.MapPost("/instances/{instanceId}/suspend", SuspendAsync).WithName("SuspendInstance");
        api.MapPost("/instances/{instanceId}/resume", ResumeAsync).WithName("ResumeInstance");
        api.MapPost("/instances/{instanceId}/raiseEvent/{eventName}", RaiseEventAsync).WithName("RaiseEvent");
        api.MapDelete("/instances/{instanceId}", PurgeAsync).WithName("PurgeInstance");
    }

    private static async Task<IResult> GetAsync(
        string instanceId, bool? showInput, DurableClient client, HttpContext context, CancellationToken cancellationToken)
    {
        var (metadata, problem) = await FindAsync(client, instanceId, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null)
        {
            return problem!;
        }

        var body = InstanceStatusResponse.From(metadata, showInput ?? true);
        if (metadata.IsCompleted)
        {
            return TypedResults.Ok(body);
        }

        // Still running: 202 with Location and Retry-After, so a generic polling client keeps polling.
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Accepted(ApiUrls.Instance(context.Request, instanceId), body);
    }

    private static async Task<IResult> ListAsync(
        string? status,
        int? top,
        string? continuation,
        string? name,
        string? prefix,
        DateTime? createdFrom,
        DateTime? createdTo,
        bool? details,
        bool? showInput,
        DurableClient client,
        HttpContext context,
        CancellationToken cancellationToken)
    {
        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var part in (status ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<OrchestrationRuntimeStatus>(part, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return ApiProblems.BadRequest(
                    $"Query 'status' has the unknown value '{part}'; use a comma-separated list of {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>())}.");
            }

            statuses.Add(parsed);
        }

        var pageSize = top ?? 100;
        if (pageSize is < 1 or > 1000)
        {
            return ApiProblems.BadRequest($"Query 'top' is {pageSize}; it must be 1-1000.");
        }

        var withDetails = (details ?? false) || (showInput ?? false);
        InstancePage page;
        try
        {
            page = await client.QueryInstancesAsync(
                new InstanceQuery
                {
                    RuntimeStatus = statuses.Count == 0 ? null : statuses,
                    Name = string.IsNullOrWhiteSpace(name) ? null : name,
                    InstanceIdPrefix = string.IsNullOrWhiteSpace(prefix) ? null : prefix,
                    CreatedFrom = createdFrom?.ToUniversalTime(),
                    CreatedTo = createdTo?.ToUniversalTime(),
                    PageSize = pageSize,
                    ContinuationToken = string.IsNullOrEmpty(continuation) ? null : continuation,
                    FetchInputsAndOutputs = withDetails,
                },
                cancellationToken);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return ApiProblems.BadRequest($"Query 'continuation' is not a token this API returned: {e.Message}");
        }

        if (page.ContinuationToken is not null)
        {
            context.Response.Headers["x-ms-continuation-token"] = page.ContinuationToken;
        }

        var items = page.Instances.Select(i => InstanceStatusResponse.From(i, showInput ?? false)).ToList();
        return TypedResults.Ok(new InstanceListResponse(items, page.ContinuationToken));
    }

    private static Task<IResult> TerminateAsync(string instanceId, string? reason, DurableClient client, CancellationToken cancellationToken) =>
        ControlAsync(instanceId, "terminate", client, (c, ct) => c.TerminateInstanceAsync(instanceId, reason, ct), cancellationToken);

    private static Task<IResult> SuspendAsync(string instanceId, string? reason, DurableClient client, CancellationToken cancellationToken) =>
        ControlAsync(instanceId, "suspend", client, (c, ct) => c.SuspendInstanceAsync(instanceId, reason, ct), cancellationToken);

    private static Task<IResult> ResumeAsync(string instanceId, string? reason, DurableClient client, CancellationToken cancellationToken) =>
        ControlAsync(instanceId, "resume", client, (c, ct) => c.ResumeInstanceAsync(instanceId, reason, ct), cancellationToken);

    private static async Task<IResult> RaiseEventAsync(
        string instanceId, string eventName, HttpRequest request, DurableClient client, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxEventBytes)
        {
            return ApiProblems.TooLarge(MaxEventBytes, "The event payload");
        }

        var body = await RequestBody.ReadAsync(request, MaxEventBytes, cancellationToken);
        if (body is null)
        {
            return ApiProblems.TooLarge(MaxEventBytes, "The event payload");
        }

        JsonElement? data = null;
        if (body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                data = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                return ApiProblems.BadRequest($"The event payload is not valid JSON: {e.Message}");
            }
        }

        return await ControlAsync(instanceId, $"raise event '{eventName}' on", client, (c, ct) => c.RaiseEventAsync(instanceId, eventName, data, ct), cancellationToken);
    }

    private static async Task<IResult> PurgeAsync(string instanceId, DurableClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.PurgeInstanceAsync(instanceId, cancellationToken)
                ? TypedResults.Ok(new PurgeResponse(1))
                : NotFound(instanceId);
        }
        catch (ArgumentException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict(e.Message);
        }
    }

    private static async Task<IResult> ControlAsync(
        string instanceId, string verb, DurableClient client, Func<DurableClient, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var (metadata, problem) = await FindAsync(client, instanceId, getInputsAndOutputs: false, cancellationToken);
        if (metadata is null)
        {
            return problem!;
        }

        if (metadata.IsCompleted)
        {
            return ApiProblems.Gone($"Cannot {verb} instance '{instanceId}': it is {metadata.RuntimeStatus}.");
        }

        try
        {
            await action(client, cancellationToken);
        }
        catch (InstanceNotFoundException)
        {
            return NotFound(instanceId);
        }
        catch (InvalidOperationException e)
        {
            // It finished between the read above and the call.
            return ApiProblems.Gone(e.Message);
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<(OrchestrationMetadata? Metadata, IResult? Problem)> FindAsync(
        DurableClient client, string instanceId, bool getInputsAndOutputs, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs, cancellationToken);
            return metadata is null ? (null, NotFound(instanceId)) : (metadata, null);
        }
        catch (ArgumentException e)
        {
            // The runtime's instance-id rules (length, no '/', '\\', '#', '?', control characters).
            return (null, ApiProblems.BadRequest(e.Message));
        }
    }

    private static IResult NotFound(string instanceId) => ApiProblems.NotFound($"No instance '{instanceId}' exists.");
}
