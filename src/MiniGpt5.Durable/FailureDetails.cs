using System.Reflection;
using System.Text.Json.Serialization;

namespace MiniGpt5.Durable;

/// <summary>
/// A failure as it is recorded in history and shown to callers: the exception type's full name, its message,
/// its stack trace and the inner failure. Exceptions do not survive serialization; these details do.
/// </summary>
/// <param name="ErrorType">Full name of the exception type (for example <c>System.InvalidOperationException</c>).</param>
/// <param name="ErrorMessage">The exception's message.</param>
/// <param name="StackTrace">The stack trace, when there was one.</param>
/// <param name="InnerFailure">The inner exception's details, when there was one.</param>
public sealed record FailureDetails(
    [property: JsonPropertyName("type")] string ErrorType,
    [property: JsonPropertyName("message")] string ErrorMessage,
    [property: JsonPropertyName("stack")] string? StackTrace = null,
    [property: JsonPropertyName("inner")] FailureDetails? InnerFailure = null)
{
    /// <summary>Details of <paramref name="exception"/>, unwrapping reflection and single-exception aggregates.</summary>
    public static FailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var e = Unwrap(exception);
        var inner = e.InnerException is null ? null : FromException(e.InnerException);
        return new FailureDetails(e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace, inner);
    }

    /// <summary>
    /// True when the failure was caused by <typeparamref name="TException"/> or a type derived from it
    /// (the recorded type name is resolved in the loaded assemblies; an unknown name compares by name only).
    /// </summary>
    public bool IsCausedBy<TException>()
        where TException : Exception
    {
        var target = typeof(TException);
        if (string.Equals(ErrorType, target.FullName, StringComparison.Ordinal))
        {
            return true;
        }

        var recorded = ResolveType(ErrorType);
        return recorded is not null && target.IsAssignableFrom(recorded);
    }

    /// <summary><c>Type: message</c>, then the inner failures.</summary>
    public override string ToString() =>
        InnerFailure is null ? $"{ErrorType}: {ErrorMessage}" : $"{ErrorType}: {ErrorMessage} ---> {InnerFailure}";

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                    e = aggregate.InnerExceptions[0];
                    continue;
                default:
                    return e;
            }
        }
    }

    private static Type? ResolveType(string fullName)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            var type = assembly.GetType(fullName, throwOnError: false);
            if (type is not null)
            {
                return type;
            }
        }

        return null;
    }
}
