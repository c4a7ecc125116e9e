using Azure.Core;
using Azure.Core.Pipeline;

namespace MiniGpt5.Storage.Azure;

/// <summary>Pins the REST API version on every request.</summary>
internal sealed class ServiceVersionPolicy : HttpPipelineSynchronousPolicy
{
    /// <summary>One pinned version: accepted by Azure and by Azurite 3.35 (which rejects versions newer than its own).</summary>
    public const string Version = "2025-11-05";

    public static readonly ServiceVersionPolicy Instance = new();

    public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", Version);
}
