using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// <c>POST /api/manuscripts</c>: the body is the manuscript (Markdown, text, JSON, or a JSONL batch), raw or as the
/// one file part of a multipart form. The name comes from <c>?name=</c>, the multipart file name, or the content
/// type; options from the query and form fields. Answers 202 with the instance's management links and a
/// Location header; 413 over <see cref="HttpApiOptions.MaxManuscriptBytes"/>; 422 naming the source, line and
/// column when a single manuscript cannot be read (a batch starts anyway, and its bad items fail on their own).
/// </summary>
public static class ManuscriptEndpoints
{
    /// <summary>Longest accepted file name.</summary>
    public const int MaxNameLength = 200;

    // Multipart framing (boundaries, part headers) and small option fields on top of the file itself.
    private const long MultipartOverheadBytes = 64 * 1024;
    private const int MaxFieldBytes = 4096;

    private static readonly Dictionary<string, string> DefaultNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/markdown"] = "manuscript.md",
        ["text/x-markdown"] = "manuscript.md",
        ["text/plain"] = "manuscript.txt",
        ["application/json"] = "manuscript.json",
        ["application/x-ndjson"] = "manuscript.jsonl",
        ["application/jsonl"] = "manuscript.jsonl",
        ["application/jsonlines"] = "manuscript.jsonl",
        ["application/x-jsonlines"] = "manuscript.jsonl",
        ["application/octet-stream"] = "manuscript",
    };

    /// <summary>Maps the route onto <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/manuscripts", SubmitAsync).WithName("SubmitManuscript");
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context, ManuscriptSubmitter submitter, IOptions<HttpApiOptions> options, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxManuscriptBytes;
        var request = context.Request;
        var isMultipart = request.HasFormContentType && request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
        if (request.ContentLength > limit + (isMultipart ? MultipartOverheadBytes : 0))
        {
            return ApiProblems.TooLarge(limit, "The manuscript");
        }

        var read = isMultipart
            ? await ReadMultipartAsync(request, limit, cancellationToken)
            : await ReadRawAsync(request, limit, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        var upload = read.Upload!;
        if (NameProblem(upload.Name) is { } nameProblem)
        {
            return ApiProblems.BadRequest(nameProblem);
        }

        Submission submission;
        try
        {
            var manuscriptOptions = RequestOptionsBinder.Bind(upload.Options, $"{upload.Name} (request options)");
            submission = await submitter.SubmitAsync(upload.Name, upload.Content, manuscriptOptions, cancellationToken);
        }
        catch (ManuscriptException e)
        {
            var error = e.Error;
            return ApiProblems.InvalidManuscript(error.ToString(), new Dictionary<string, object?>
            {
                ["source"] = error.Source,
                ["line"] = error.Line,
                ["column"] = error.Column,
                ["path"] = error.Path,
                ["problem"] = error.Message,
            });
        }

        var links = ApiUrls.Links(request, submission.InstanceId);
        var manuscripts = submission.Manuscripts
            .Select(m => new SubmittedManuscriptResponse(
                m.ManuscriptId, m.Source, ApiUrls.Instance(request, m.ManuscriptId), ApiUrls.BookFile(request, m.ManuscriptId), m.Error))
            .ToList();
        var body = new SubmissionResponse(
            links.Id, links.StatusQueryGetUri, links.SendEventPostUri, links.TerminatePostUri, links.SuspendPostUri, links.ResumePostUri,
            links.PurgeHistoryDeleteUri, submission.OrchestrationName, submission.IsBatch, submission.AlreadyExisted, manuscripts);
        return TypedResults.Accepted(links.StatusQueryGetUri, body);
    }

    private static async Task<(ManuscriptUpload? Upload, IResult? Problem)> ReadRawAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.ToString() : null;
        string? defaultName = null;
        if (mediaType is not null && !DefaultNames.TryGetValue(mediaType, out defaultName) && !mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.UnsupportedMediaType(
                $"Content-Type '{mediaType}' is not a manuscript; send text/markdown, text/plain, application/json, application/x-ndjson, " +
                "application/octet-stream, or multipart/form-data with one file."));
        }

        var content = await ReadLimitedAsync(request.Body, limit, cancellationToken);
        if (content is null)
        {
            return (null, ApiProblems.TooLarge(limit, "The manuscript"));
        }

        var fields = QueryFields(request);
        var name = Field(fields, "name") ?? defaultName ?? "manuscript";
        return (new ManuscriptUpload(name, content, WithoutName(fields)), null);
    }

    private static async Task<(ManuscriptUpload? Upload, IResult? Problem)> ReadMultipartAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var contentType = MediaTypeHeaderValue.Parse(request.ContentType);
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).ToString();
        if (string.IsNullOrEmpty(boundary))
        {
            return (null, ApiProblems.BadRequest("The multipart body has no boundary parameter in its Content-Type."));
        }

        var fields = QueryFields(request);
        var reader = new MultipartReader(boundary, request.Body);
        string? fileName = null;
        byte[]? content = null;
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancellationToken); section is not null; section = await reader.ReadNextSectionAsync(cancellationToken))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, ApiProblems.BadRequest("Every multipart part needs 'Content-Disposition: form-data; name=...'."));
                }

                if (disposition.IsFileDisposition())
                {
                    if (content is not null)
                    {
                        return (null, ApiProblems.BadRequest("Send one file per request; put several manuscripts in one JSONL file to submit a batch."));
                    }

                    fileName = Path.GetFileName((HeaderUtilities.RemoveQuotes(disposition.FileNameStar).ToString() is { Length: > 0 } star
                        ? star
                        : HeaderUtilities.RemoveQuotes(disposition.FileName).ToString()).Replace('\\', '/'));
                    content = await ReadLimitedAsync(section.Body, limit, cancellationToken);
                    if (content is null)
                    {
                        return (null, ApiProblems.TooLarge(limit, $"The file '{fileName}'"));
                    }

                    continue;
                }

                var fieldName = HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
                var value = await ReadLimitedAsync(section.Body, MaxFieldBytes, cancellationToken);
                if (value is null)
                {
                    return (null, ApiProblems.BadRequest($"Form field '{fieldName}' is longer than {MaxFieldBytes} bytes."));
                }

                fields.Add(new(fieldName, [System.Text.Encoding.UTF8.GetString(value)]));
            }
        }
        catch (IOException e)
        {
            return (null, ApiProblems.BadRequest($"The multipart body is malformed: {e.Message}"));
        }

        if (content is null)
        {
            return (null, ApiProblems.BadRequest("The multipart body has no file part (a part with a filename)."));
        }

        var name = Field(fields, "name") ?? (string.IsNullOrEmpty(fileName) ? "manuscript" : fileName);
        return (new ManuscriptUpload(name, content, WithoutName(fields)), null);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return await RequestBody.ReadAsync(body, limit, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // the server's own body limit tripped first
        }
    }

    private static List<KeyValuePair<string, IReadOnlyList<string>>> QueryFields(HttpRequest request) =>
        request.Query.Select(q => new KeyValuePair<string, IReadOnlyList<string>>(q.Key, q.Value.Where(v => v is not null).Select(v => v!).ToList())).ToList();

    private static string? Field(List<KeyValuePair<string, IReadOnlyList<string>>> fields, string key)
    {
        var values = fields.LastOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
        return values is { Count: > 0 } ? values[^1] : null;
    }

    private static List<KeyValuePair<string, IReadOnlyList<string>>> WithoutName(List<KeyValuePair<string, IReadOnlyList<string>>> fields) =>
        fields.Where(f => !string.Equals(f.Key, "name", StringComparison.OrdinalIgnoreCase)).ToList();

    private static string? NameProblem(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return $"The manuscript name must be 1 to {MaxNameLength} characters long; got {name.Length}.";
        }

        if (name.Any(c => char.IsControl(c) || c is '/' or '\\') || name is "." or "..")
        {
            return $"The manuscript name '{name}' must be a file name (no '/', '\\' or control characters), such as 'story.md'.";
        }

        return null;
    }
}
