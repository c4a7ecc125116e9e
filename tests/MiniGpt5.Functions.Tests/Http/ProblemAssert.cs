using System.Net;
using System.Text.Json;

namespace MiniGpt5.Functions.Tests.Http;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> whose detail mentions <paramref name="mention"/>.</summary>
    public static async Task<JsonElement> IsAsync(HttpResponseMessage response, HttpStatusCode status, string mention)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Contains(mention, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }
}
