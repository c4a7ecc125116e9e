namespace MiniGpt5.Functions.Http;

/// <summary>
/// Settings of the HTTP API, bound from the <c>MiniGpt5</c> section (<c>MiniGpt5__ApiKeys</c> and so on in
/// environment variables or <c>local.settings.json</c>).
/// </summary>
public sealed record HttpApiOptions
{
    /// <summary>Configuration section the options are read from.</summary>
    public const string SectionName = "MiniGpt5";

    /// <summary>Default upload limit: 1 MiB, the manuscript reader's own limit for one manuscript.</summary>
    public const long DefaultMaxManuscriptBytes = 1024 * 1024;

    /// <summary>
    /// Keys clients send in the <c>x-api-key</c> header. Empty means the API is open (local development);
    /// the host logs a warning at start when it is.
    /// </summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Largest request body <c>POST /api/manuscripts</c> accepts (one manuscript, or one JSONL batch).</summary>
    public long MaxManuscriptBytes { get; init; } = DefaultMaxManuscriptBytes;

    /// <summary>
    /// Accept requests that the platform's built-in authentication (Container Apps / App Service "Easy Auth" with
    /// Entra ID) has already authenticated, recognised by its <c>X-MS-CLIENT-PRINCIPAL-ID</c> header. Only safe
    /// when that feature is on with "require authentication": the platform then rejects anonymous callers and
    /// replaces any such header a client sends. Off by default.
    /// </summary>
    public bool TrustPlatformAuthentication { get; init; }

    /// <summary>Blob container holding the illustrated books (<c>illustrated/{manuscriptId}/...</c>).</summary>
    public string BooksContainer { get; init; } = "illustrated";

    /// <summary>
    /// True when the app runs as an Azure Functions custom handler (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set): the
    /// trigger routes <c>/IngestManuscript</c> and <c>/RunSchedules</c> are then called by the Functions host,
    /// which sends no API key.
    /// </summary>
    public bool FunctionsCustomHandler { get; init; }

    /// <summary>Whether any form of authentication is configured.</summary>
    public bool RequiresAuthentication => ApiKeys.Count > 0 || TrustPlatformAuthentication;
}
