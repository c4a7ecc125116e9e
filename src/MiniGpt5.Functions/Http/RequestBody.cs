using Microsoft.AspNetCore.Http;

namespace MiniGpt5.Functions.Http;

/// <summary>Reads request bodies with a hard byte limit, whatever the Content-Length says (chunked bodies have none).</summary>
public static class RequestBody
{
    /// <summary>
    /// The whole body, or null when it is longer than <paramref name="limit"/> bytes (reading stops at
    /// <paramref name="limit"/> + 1 bytes, so an oversized body is never buffered).
    /// </summary>
    public static Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync(request.Body, limit, cancellationToken);
    }

    /// <summary>The whole of <paramref name="stream"/>, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
