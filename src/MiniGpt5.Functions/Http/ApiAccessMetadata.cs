namespace MiniGpt5.Functions.Http;

/// <summary>Endpoint metadata carrying the endpoint's <see cref="ApiAccess"/>; endpoints without it need authentication.</summary>
/// <param name="Access">Who may call the endpoint.</param>
public sealed record ApiAccessMetadata(ApiAccess Access)
{
    /// <summary>Metadata for public endpoints.</summary>
    public static ApiAccessMetadata Public { get; } = new(ApiAccess.Public);

    /// <summary>Metadata for Functions trigger endpoints.</summary>
    public static ApiAccessMetadata FunctionsTrigger { get; } = new(ApiAccess.FunctionsTrigger);
}
