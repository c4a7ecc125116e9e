using MiniGpt5.Durable;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Tests.Http;

/// <summary>Small orchestrations the API tests drive.</summary>
internal static class TestOrchestrations
{
    /// <summary>Waits for an "approve" event and returns its payload.</summary>
    public const string WaitForApproval = "WaitForApproval";

    /// <summary>Publishes {done, total} progress, advancing one step per "next" event, then completes.</summary>
    public const string Stepper = "Stepper";

    /// <summary>Returns its input at once.</summary>
    public const string Echo = "Echo";

    /// <summary>Fails at once with its input as the message.</summary>
    public const string Fail = "Fail";

    public static DurableTaskBuilder Register(DurableTaskBuilder builder) => builder
        // Stand-ins for the app's orchestrators, so submissions stay Running (the API tests check what was started).
        .AddOrchestrator<object?, object?>(IllustrationNames.IllustrateManuscript, async (ctx, _) => await ctx.WaitForExternalEvent<object?>("never"))
        .AddOrchestrator<object?, object?>(IllustrationNames.IllustrateBatch, async (ctx, _) => await ctx.WaitForExternalEvent<object?>("never"))
        .AddOrchestrator<string?, string?>(WaitForApproval, async (ctx, _) => await ctx.WaitForExternalEvent<string?>("approve"))
        .AddOrchestrator<int, string>(Stepper, async (ctx, total) =>
        {
            for (var done = 0; done < total; done++)
            {
                ctx.SetCustomStatus(new { phase = "Illustrating", done, failed = 0, total, title = "Stepper book", book = new { container = "illustrated", prefix = ctx.InstanceId + "/" } });
                await ctx.WaitForExternalEvent<object?>("next");
            }

            ctx.SetCustomStatus(new { phase = "Completed", done = total, failed = 0, total, title = "Stepper book", book = new { container = "illustrated", prefix = ctx.InstanceId + "/" } });
            return "finished";
        })
        .AddOrchestrator<string, string>(Echo, (_, input) => Task.FromResult(input))
        .AddOrchestrator<string, string>(Fail, (_, message) => throw new InvalidOperationException(message));
}
