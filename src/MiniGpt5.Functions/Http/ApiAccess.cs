namespace MiniGpt5.Functions.Http;

/// <summary>Who may call an endpoint; attached to each endpoint as metadata and enforced by <see cref="ApiAuthenticationMiddleware"/>.</summary>
public enum ApiAccess
{
    /// <summary>A configured API key, the status-page session cookie (GET/HEAD only), or platform authentication.</summary>
    Authenticated,

    /// <summary>Anyone: probes, the status page shell and the OpenAPI document.</summary>
    Public,

    /// <summary>
    /// The Azure Functions host's trigger calls (<c>POST /IngestManuscript</c>, <c>POST /RunSchedules</c>): open when
    /// the app runs as a custom handler (the host sends no key), authenticated otherwise.
    /// </summary>
    FunctionsTrigger,
}
