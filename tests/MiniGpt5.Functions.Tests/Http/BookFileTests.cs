using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MiniGpt5.Functions.Http;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class BookFileTests : IAsyncLifetime
{
    private const string Id = "shapes-0123456789abcdef";
    private ApiTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiTestServer.StartAsync();
        await _server.Blobs.CreateContainerAsync("illustrated");
        await PutAsync("index.html", "<!DOCTYPE html><title>Shapes</title><img src=\"steps/001.png\">");
        await PutAsync("steps/001.png", "\x89PNG fake");
        await PutAsync("book.epub", "PK epub");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Files_stream_with_their_type_an_etag_and_a_script_free_policy()
    {
        using var page = await _server.SendAsync(HttpMethod.Get, $"books/{Id}/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("steps/001.png", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(BookFileEndpoints.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("default-src 'none'", BookFileEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var etag = page.Headers.ETag;
        Assert.NotNull(etag);

        using var image = await _server.SendAsync(HttpMethod.Get, $"books/{Id}/steps/001.png");
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);

        using var epub = await _server.SendAsync(HttpMethod.Get, $"books/{Id}/book.epub");
        Assert.Equal("application/epub+zip", epub.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{Id}.epub", epub.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var conditional = ApiTestServer.Authorized(HttpMethod.Get, $"books/{Id}/index.html");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _server.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task The_book_folder_redirects_to_its_index()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Address };
        using var request = ApiTestServer.Authorized(HttpMethod.Get, $"books/{Id}/");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith($"/books/{Id}/index.html", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("books/shapes-0123456789abcdef/steps/999.png", HttpStatusCode.NotFound, "steps/999.png")]
    [InlineData("books/shapes-0123456789abcdef/.secret", HttpStatusCode.BadRequest, "not a path inside a book")]
    [InlineData("books/shapes-0123456789abcdef/a%20b.html", HttpStatusCode.BadRequest, "not a path inside a book")]
    [InlineData("books/..hidden/index.html", HttpStatusCode.BadRequest, "not a manuscript id")]
    public async Task Missing_and_unsafe_paths_are_problems(string url, HttpStatusCode status, string mention)
    {
        using var response = await _server.SendAsync(HttpMethod.Get, url);
        await ProblemAssert.IsAsync(response, status, mention);
    }

    private async Task PutAsync(string path, string text)
    {
        using var content = new MemoryStream(Encoding.Latin1.GetBytes(text));
        await _server.Blobs.PutAsync("illustrated", $"{Id}/{path}", content, new BlobPutOptions());
    }
}
