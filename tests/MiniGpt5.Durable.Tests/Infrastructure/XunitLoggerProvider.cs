using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Infrastructure;

/// <summary>Routes runtime logs (warnings and up, or everything with MINIGPT5_TEST_LOGS=1) to the test's output.</summary>
internal sealed class XunitLoggerProvider(ITestOutputHelper output, string prefix) : ILoggerProvider
{
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("MINIGPT5_TEST_LOGS") == "1";

    public ILogger CreateLogger(string categoryName) => new Logger(output, prefix);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string prefix) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (Verbose ? LogLevel.Debug : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{prefix}] {logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished.
            }
        }
    }
}
