namespace MiniGpt5.Functions.Http;

/// <summary>
/// The 202 answer to a start: the instance id and where to poll and control it (the names Durable Functions'
/// <c>CreateCheckStatusResponse</c> uses, so existing clients and tooling understand it).
/// </summary>
/// <param name="Id">Instance id.</param>
/// <param name="StatusQueryGetUri">GET: status (202 while it runs, 200 when finished).</param>
/// <param name="SendEventPostUri">POST: raise an event (replace <c>{eventName}</c>).</param>
/// <param name="TerminatePostUri">POST: terminate.</param>
/// <param name="SuspendPostUri">POST: suspend.</param>
/// <param name="ResumePostUri">POST: resume.</param>
/// <param name="PurgeHistoryDeleteUri">DELETE: purge a finished instance.</param>
public sealed record InstanceLinks(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string SuspendPostUri,
    string ResumePostUri,
    string PurgeHistoryDeleteUri);
