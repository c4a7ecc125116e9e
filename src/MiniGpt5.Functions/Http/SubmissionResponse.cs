namespace MiniGpt5.Functions.Http;

/// <summary>
/// The 202 answer to <c>POST /api/manuscripts</c>: Durable Functions' management links for the started instance
/// (a manuscript, or a batch), plus what was submitted.
/// </summary>
/// <param name="Id">Instance id: the manuscript id, or the batch id.</param>
/// <param name="StatusQueryGetUri">GET: status (202 while it runs, 200 when finished).</param>
/// <param name="SendEventPostUri">POST: raise an event (replace <c>{eventName}</c>; review gate: <c>approve</c>).</param>
/// <param name="TerminatePostUri">POST: terminate.</param>
/// <param name="SuspendPostUri">POST: suspend.</param>
/// <param name="ResumePostUri">POST: resume.</param>
/// <param name="PurgeHistoryDeleteUri">DELETE: purge once finished.</param>
/// <param name="Orchestration"><c>IllustrateManuscript</c> or <c>IllustrateBatch</c>.</param>
/// <param name="IsBatch">True for a JSONL batch (one sub-orchestration per manuscript).</param>
/// <param name="AlreadyExisted">True when the same bytes under the same name had been submitted before: nothing new started.</param>
/// <param name="Manuscripts">The manuscript, or the batch's manuscripts, each with its status and book URLs.</param>
public sealed record SubmissionResponse(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string SuspendPostUri,
    string ResumePostUri,
    string PurgeHistoryDeleteUri,
    string Orchestration,
    bool IsBatch,
    bool AlreadyExisted,
    IReadOnlyList<SubmittedManuscriptResponse> Manuscripts);
