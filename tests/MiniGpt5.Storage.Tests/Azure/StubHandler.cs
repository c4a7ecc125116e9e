using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace MiniGpt5.Storage.Tests.Azure;

/// <summary>
/// An in-process HTTP server stand-in: records every request (with its body) and answers with whatever the test's
/// function returns for the n-th try. Plugged in as the Azure.Core transport, so the real pipeline (retry,
/// signing, timeouts) runs in front of it.
/// </summary>
internal sealed class StubHandler(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private int _tries;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body));
        return await respond(request, Interlocked.Increment(ref _tries), cancellationToken);
    }

    public static HttpResponseMessage Created(string etag = "\"0x1\"")
    {
        var response = new HttpResponseMessage(HttpStatusCode.Created) { Content = new ByteArrayContent([]) };
        response.Headers.TryAddWithoutValidation("ETag", etag);
        response.Content.Headers.TryAddWithoutValidation("Last-Modified", "Tue, 01 Sep 2026 10:00:00 GMT");
        return response;
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message = "Something failed.")
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}\nRequestId:1\nTime:2026-09-01</Message></Error>",
                Encoding.UTF8,
                "application/xml"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-error-code", code);
        return response;
    }
}

internal sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[] Body);
