using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MiniGpt5.Storage.Azure;

/// <summary>Signs each try (it runs after the retry policy, so every retry gets a fresh x-ms-date) with Shared Key.</summary>
internal sealed class SharedKeyPolicy(SharedKeySigner signer, TimeProvider clock) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", clock.GetUtcNow().ToString("r", CultureInfo.InvariantCulture));
        var length = request.Content is { } content && content.TryComputeLength(out var computed) ? computed : 0;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in request.Headers)
        {
            headers.Add(new KeyValuePair<string, string>(header.Name, header.Value));
        }

        string? Header(string name) => request.Headers.TryGetValue(name, out var value) ? value : null;
        request.Headers.SetValue(
            "Authorization",
            signer.Sign(request.Method.Method, request.Uri.ToUri(), length, Header, headers));
    }
}
