using Microsoft.AspNetCore.Http;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The API's error answers: RFC 9457 problem details (<c>application/problem+json</c>) with a title per kind of
/// failure and a detail that names the instance, field, value or limit at fault.
/// </summary>
public static class ApiProblems
{
    /// <summary>400: the request itself is wrong (a bad id, query value or body).</summary>
    public static IResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status400BadRequest, "Bad request", detail, extensions);

    /// <summary>401: no valid credentials.</summary>
    public static IResult Unauthorized(string detail) =>
        Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    /// <summary>404: no such instance or file.</summary>
    public static IResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>409: the instance is in a state that forbids the operation (purging a running instance).</summary>
    public static IResult Conflict(string detail) =>
        Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>410: the instance has finished, so it can no longer be terminated, suspended, resumed or sent events.</summary>
    public static IResult Gone(string detail) =>
        Problem(StatusCodes.Status410Gone, "Instance has finished", detail);

    /// <summary>413: the body is over the configured limit.</summary>
    public static IResult TooLarge(long limit, string what) =>
        Problem(
            StatusCodes.Status413PayloadTooLarge,
            "Request body too large",
            $"{what} is larger than the limit of {limit} bytes (setting MiniGpt5__MaxManuscriptBytes).",
            new Dictionary<string, object?> { ["limitBytes"] = limit });

    /// <summary>415: a body in a media type this endpoint does not read.</summary>
    public static IResult UnsupportedMediaType(string detail) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    /// <summary>422: the manuscript was read but is not valid (empty, binary, malformed, bad option).</summary>
    public static IResult InvalidManuscript(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "Invalid manuscript", detail, extensions);

    /// <summary>503: storage or the host is not ready.</summary>
    public static IResult Unavailable(string detail) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
