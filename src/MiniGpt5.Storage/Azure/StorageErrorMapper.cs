using System.Xml;
using System.Xml.Linq;
using Azure;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// Turns a failed response into the typed exception a caller can act on. The code comes from the
/// <c>x-ms-error-code</c> header (HEAD responses have no body) or the XML body's <c>&lt;Code&gt;</c>. Messages name
/// the operation, account, container/blob or queue and the status; they never hold a key, a SAS signature or a
/// URL (which might carry one), and 403s explain what to check for the auth mode in use.
/// </summary>
internal static class StorageErrorMapper
{
    private static readonly HashSet<string> LeaseConflictCodes = new(StringComparer.Ordinal)
    {
        "LeaseAlreadyPresent", "LeaseIdMismatchWithLeaseOperation", "LeaseNotPresentWithLeaseOperation",
        "LeaseIsBreakingAndCannotBeAcquired", "LeaseIsBreakingAndCannotBeChanged", "LeaseIsBrokenAndCannotBeRenewed",
        "LeaseAlreadyBroken", "LeaseLost",
    };

    public static async Task<StorageException> CreateAsync(Response response, StorageOperation operation, StorageAuthMode authMode, CancellationToken cancellationToken)
    {
        var status = response.Status;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        var serviceMessage = (string?)null;
        if (response.ContentStream is { } body && status != 304)
        {
            (var bodyCode, serviceMessage) = await ReadErrorBodyAsync(body, cancellationToken).ConfigureAwait(false);
            code ??= bodyCode;
        }

        var described = $"{operation.Name} on {operation.Target} failed with HTTP {status}{(code is null ? string.Empty : " " + code)}";
        var detail = serviceMessage is null ? string.Empty : $": {serviceMessage}";
        return (status, code) switch
        {
            (304, _) => new BlobConditionFailedException($"{described}: the blob is not modified (If-None-Match).")
            {
                Status = status,
                ErrorCode = code ?? "ConditionNotMet",
            },
            (403, _) => new StorageConfigurationException($"{described}: {AuthHint(code, operation, authMode)}")
            {
                Status = status,
                ErrorCode = code,
            },
            (404, "QueueNotFound") => new QueueNotFoundException($"{described}{detail} Create the queue first.") { Status = status, ErrorCode = code },
            (404, "MessageNotFound") => new QueueMessageNotFoundException($"{described}{detail}") { Status = status, ErrorCode = code },
            (400, "PopReceiptMismatch") => new QueueMessageNotFoundException(
                $"{described}: the pop receipt is stale (the message was received or updated since).")
            {
                Status = status,
                ErrorCode = code,
            },
            (404, _) when operation.IsQueue => operation.MessageId is null
                ? new QueueNotFoundException($"{described}{detail}") { Status = status, ErrorCode = code ?? "QueueNotFound" }
                : new QueueMessageNotFoundException($"{described}{detail}") { Status = status, ErrorCode = code ?? "MessageNotFound" },
            (404, _) => new BlobNotFoundException($"{described}{detail}")
            {
                Status = status,
                ErrorCode = code ?? (operation.Blob is null ? "ContainerNotFound" : "BlobNotFound"),
            },
            (409, "BlobAlreadyExists") => new BlobAlreadyExistsException($"{described}: it already exists (create-only write).")
            {
                Status = status,
                ErrorCode = code,
            },
            (409, { } c) when LeaseConflictCodes.Contains(c) => new BlobLeaseConflictException($"{described}{detail}") { Status = status, ErrorCode = code },
            (412, _) => new BlobConditionFailedException($"{described}{detail}") { Status = status, ErrorCode = code ?? "ConditionNotMet" },
            _ => new StorageException($"{described}{detail}") { Status = status, ErrorCode = code },
        };
    }

    private static string AuthHint(string? code, StorageOperation operation, StorageAuthMode authMode)
    {
        var account = operation.Account;
        return (code, authMode) switch
        {
            ("KeyBasedAuthenticationNotPermitted", _) =>
                $"account '{account}' has shared keys switched off. Use the AccountName-only connection string (Entra ID) instead.",
            ("AuthorizationPermissionMismatch" or "AuthorizationFailure", StorageAuthMode.EntraId) =>
                $"the signed-in identity lacks a data role on account '{account}'. Assign 'Storage Blob Data Contributor' and " +
                "'Storage Queue Data Contributor' (role changes can take a few minutes to apply).",
            (_, StorageAuthMode.SharedKey) =>
                $"the service rejected the signature: check AccountKey for account '{account}' (it may have been rotated, or belong " +
                "to another account), and that this machine's clock is right (requests more than 15 minutes off are refused).",
            (_, StorageAuthMode.SharedAccessSignature) =>
                $"the service rejected the SAS token for account '{account}': it may have expired, lack a permission or resource " +
                "type this operation needs, or be for another account or service.",
            _ =>
                $"the service rejected the Entra ID token for account '{account}': check that the identity is in the right tenant " +
                "and has a data role on the account.",
        };
    }

    private static async Task<(string? Code, string? Message)> ReadErrorBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            if (body.CanSeek)
            {
                body.Position = 0;
            }

            var document = await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken).ConfigureAwait(false);
            var root = document.Root;
            var code = root?.Element("Code")?.Value;
            var message = root?.Element("Message")?.Value;

            // The service appends "RequestId:...\nTime:..." lines; the first line is the useful part.
            return (code, message?.Split('\n')[0].Trim());
        }
        catch (XmlException)
        {
            return (null, null);
        }
    }
}
