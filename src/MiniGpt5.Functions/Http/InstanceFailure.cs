namespace MiniGpt5.Functions.Http;

/// <summary>Why an instance failed, as the API shows it: type and message, never the stack trace.</summary>
/// <param name="Type">Exception type name recorded by the runtime.</param>
/// <param name="Message">Its message (for a bad manuscript: source, line, column and problem).</param>
/// <param name="InnerMessage">The inner failure's message, when there is one.</param>
public sealed record InstanceFailure(string Type, string Message, string? InnerMessage);
