using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class ManuscriptApiTests : IAsyncLifetime
{
    private const string Story = """
        ---
        title: The Blue Square
        seed: 11
        ---
        A red circle sits on a light blue background.

        A small yellow square appears beside it.
        """;

    private ApiTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiTestServer.StartAsync(maxManuscriptBytes: 4096);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_markdown_starts_one_manuscript_with_query_options_and_returns_the_durable_links()
    {
        using var response = await _server.SendAsync(HttpMethod.Post, "api/manuscripts?name=blue.md&seed=7&style=watercolour&formats=html,epub",
            new StringContent(Story, Encoding.UTF8, "text/markdown"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var body = JsonDocument.Parse(text).RootElement;
        var id = body.GetProperty("id").GetString()!;

        Assert.StartsWith("blue-", id, StringComparison.Ordinal);
        Assert.Equal(new Uri(_server.Address, $"api/instances/{id}"), response.Headers.Location);
        Assert.Equal(response.Headers.Location!.ToString(), body.GetProperty("statusQueryGetUri").GetString());
        Assert.EndsWith($"/api/instances/{id}/raiseEvent/{{eventName}}", body.GetProperty("sendEventPostUri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/api/instances/{id}/terminate?reason={{text}}", body.GetProperty("terminatePostUri").GetString(), StringComparison.Ordinal);
        Assert.Equal(IllustrationNames.IllustrateManuscript, body.GetProperty("orchestration").GetString());
        Assert.False(body.GetProperty("isBatch").GetBoolean());
        Assert.False(body.GetProperty("alreadyExisted").GetBoolean());
        var manuscript = Assert.Single(body.GetProperty("manuscripts").EnumerateArray());
        Assert.EndsWith($"/books/{id}/index.html", manuscript.GetProperty("bookUri").GetString(), StringComparison.Ordinal);

        // The request's options reached the orchestration input, parsed and typed.
        var instance = await _server.Durable.GetInstanceAsync(id);
        Assert.NotNull(instance);
        var input = instance.ReadInputAs<IllustrateManuscriptInput>()!;
        Assert.Equal(7u, input.Options!.Seed);
        Assert.Equal("watercolour", input.Options.Style);
        Assert.Equal([MiniGpt5.Functions.Manuscripts.BookFormat.Html, MiniGpt5.Functions.Manuscripts.BookFormat.Epub], input.Options.Formats);
        Assert.Equal("blue.md", input.Source.SourceName);

        // The same bytes under the same name find the same run.
        using var again = await _server.SendAsync(HttpMethod.Post, "api/manuscripts?name=blue.md&seed=7&style=watercolour&formats=html,epub",
            new StringContent(Story, Encoding.UTF8, "text/markdown"));
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, second.GetProperty("id").GetString());
        Assert.True(second.GetProperty("alreadyExisted").GetBoolean());
    }

    [Fact]
    public async Task Multipart_upload_takes_the_file_name_and_form_fields()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Story));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
        form.Add(file, "file", "the-blue-square.md");
        form.Add(new StringContent("3"), "steps_per_chapter");

        using var response = await _server.SendAsync(HttpMethod.Post, "api/manuscripts", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("the-blue-square-", id, StringComparison.Ordinal);
        var input = (await _server.Durable.GetInstanceAsync(id))!.ReadInputAs<IllustrateManuscriptInput>()!;
        Assert.Equal(3, input.Options!.MaxStepsPerChapter);
        Assert.Equal("the-blue-square.md", input.Source.SourceName);
    }

    [Fact]
    public async Task A_jsonl_batch_starts_one_batch_and_lists_its_bad_line_with_the_reason()
    {
        var batch = """
            {"title": "One", "steps": ["A red circle.", "A blue square."]}
            {"title": "Two", "steps": [
            {"title": "Three", "steps": ["A green star."]}
            """;
        using var response = await _server.SendAsync(HttpMethod.Post, "api/manuscripts?name=shelf.jsonl",
            new StringContent(batch, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var body = JsonDocument.Parse(text).RootElement;

        Assert.True(body.GetProperty("isBatch").GetBoolean());
        Assert.Equal(IllustrationNames.IllustrateBatch, body.GetProperty("orchestration").GetString());
        var items = body.GetProperty("manuscripts").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.False(items[0].TryGetProperty("error", out _));
        Assert.Contains("line 2", items[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(items[2].TryGetProperty("error", out _));
    }

    [Fact]
    public async Task Over_the_limit_is_413_whether_or_not_the_length_is_announced()
    {
        var big = new string('a', 5000);
        using (var announced = await _server.SendAsync(HttpMethod.Post, "api/manuscripts?name=big.txt", new StringContent(big, Encoding.UTF8, "text/plain")))
        {
            var problem = await ProblemAssert.IsAsync(announced, HttpStatusCode.RequestEntityTooLarge, "4096 bytes");
            Assert.Equal(4096, problem.GetProperty("limitBytes").GetInt64());
            Assert.Contains("MiniGpt5__MaxManuscriptBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var request = ApiTestServer.Authorized(HttpMethod.Post, "api/manuscripts?name=big.txt", chunked);
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await _server.Client.SendAsync(request);
        await ProblemAssert.IsAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "4096 bytes");

        using var form = new MultipartFormDataContent { { new StringContent(big), "file", "big.md" } };
        using var multipart = await _server.SendAsync(HttpMethod.Post, "api/manuscripts", form);
        await ProblemAssert.IsAsync(multipart, HttpStatusCode.RequestEntityTooLarge, "big.md");
    }

    [Theory]
    [InlineData("", "text/markdown", "api/manuscripts?name=empty.md", HttpStatusCode.UnprocessableEntity, "empty.md")]
    [InlineData("{\"title\": \"x\", \"steps\": [", "application/json", "api/manuscripts?name=broken.json", HttpStatusCode.UnprocessableEntity, "broken.json")]
    [InlineData("A cat.", "text/plain", "api/manuscripts?name=cat.txt&sed=4", HttpStatusCode.UnprocessableEntity, "unknown key 'sed'")]
    [InlineData("A cat.", "text/plain", "api/manuscripts?name=cat.txt&seed=-1", HttpStatusCode.UnprocessableEntity, "seed")]
    [InlineData("A cat.", "text/plain", "api/manuscripts?name=cat.txt&title=Cats", HttpStatusCode.UnprocessableEntity, "book metadata")]
    [InlineData("A cat.", "text/plain", "api/manuscripts?name=../etc/passwd", HttpStatusCode.BadRequest, "must be a file name")]
    [InlineData("PNG", "image/png", "api/manuscripts?name=cat.png", HttpStatusCode.UnsupportedMediaType, "image/png")]
    public async Task Bad_submissions_are_problems_that_name_the_fault(string body, string type, string url, HttpStatusCode status, string mention)
    {
        using var response = await _server.SendAsync(HttpMethod.Post, url, new StringContent(body, Encoding.UTF8, type));
        await ProblemAssert.IsAsync(response, status, mention);
    }

    [Fact]
    public async Task An_unreadable_manuscript_reports_source_line_and_column()
    {
        const string bad = "---\ntitle: [unclosed\n---\nText.";
        using var response = await _server.SendAsync(HttpMethod.Post, "api/manuscripts?name=front.md", new StringContent(bad, Encoding.UTF8, "text/markdown"));
        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.UnprocessableEntity, "front.md");
        Assert.Equal("front.md", problem.GetProperty("source").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        var list = await _server.Durable.QueryInstancesAsync();
        Assert.Empty(list.Instances); // nothing started
    }
}
