using Azure.Core;
using Azure.Core.Pipeline;

namespace MiniGpt5.Storage.Azure;

/// <summary>Appends the SAS token's parameters to every request URL (once per call, before retries).</summary>
internal sealed class SasPolicy : HttpPipelineSynchronousPolicy
{
    private readonly (string Name, string Value)[] _parameters;

    public SasPolicy(string token)
    {
        // The token arrives URL-encoded, as the portal and az CLI print it; append it without encoding again.
        _parameters = token.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (p[0], p.Length > 1 ? p[1] : string.Empty))
            .ToArray();
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        foreach (var (name, value) in _parameters)
        {
            message.Request.Uri.AppendQuery(name, value, escapeValue: false);
        }
    }
}
