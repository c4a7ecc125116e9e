using System.Net;
using System.Net.Sockets;

namespace MiniGpt5.Deployment.Tests.Scripts;

/// <summary>infra/scripts/http-probe.sh, the API image's HEALTHCHECK, against a local HTTP server.</summary>
public sealed class HttpProbeScriptTests
{
    [BashFact]
    public async Task Succeeds_on_2xx_and_fails_on_other_statuses_and_closed_ports()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var server = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    // Stop() ends the pending wait with one of these.
                    return;
                }

                context.Response.StatusCode = context.Request.Url!.AbsolutePath switch
                {
                    "/healthz" => 200,
                    "/readyz" => 503,
                    _ => 404,
                };
                context.Response.Close();
            }
        });

        var healthy = await ScriptRunner.RunAsync("http-probe.sh", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "/healthz");
        var notReady = await ScriptRunner.RunAsync("http-probe.sh", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "/readyz");
        listener.Stop();
        await server;
        var closed = await ScriptRunner.RunAsync("http-probe.sh", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "/healthz");

        Assert.Equal(0, healthy.ExitCode);
        Assert.Equal(1, notReady.ExitCode);
        Assert.Contains("503", notReady.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, closed.ExitCode);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
