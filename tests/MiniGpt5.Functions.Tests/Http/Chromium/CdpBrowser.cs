using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Functions.Tests.Books;

namespace MiniGpt5.Functions.Tests.Http.Chromium;

/// <summary>
/// Headless Chromium driven over the DevTools protocol (a WebSocket, System.Net.WebSockets): navigate, evaluate
/// script in the page, wait for a condition. Enough to check that a page renders, updates and loads its images.
/// The browser runs with a throw-away profile and is killed with its process tree on dispose.
/// </summary>
internal sealed class CdpBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<int, TaskCompletionSource<JsonElement>> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _receiver = Task.CompletedTask;
    private int _nextId;

    private CdpBrowser(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts Chromium and attaches to its first page, emulating a phone-width viewport when asked.</summary>
    public static async Task<CdpBrowser> StartAsync(int? phoneWidth = null)
    {
        var profile = Directory.CreateTempSubdirectory("minigpt5-cdp-");
        var start = new ProcessStartInfo(ChromiumFactAttribute.Path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions", "--remote-debugging-port=0", "--remote-allow-origins=*",
            $"--user-data-dir={profile.FullName}", "about:blank",
        })
        {
            start.ArgumentList.Add(flag);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Chromium.");
        var browser = new CdpBrowser(process, profile);
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? endpoint = null;
            while (endpoint is null)
            {
                var line = await process.StandardError.ReadLineAsync(limit.Token)
                    ?? throw new InvalidOperationException($"Chromium exited ({(process.HasExited ? process.ExitCode : -1)}) before opening its DevTools port.");
                const string marker = "DevTools listening on ";
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    endpoint = line[(at + marker.Length)..].Trim();
                }
            }

            _ = process.StandardError.ReadToEndAsync(CancellationToken.None); // keep draining so Chromium never blocks on a full pipe
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var http = new Uri(endpoint.Replace("ws://", "http://", StringComparison.Ordinal));
            using var client = new HttpClient { BaseAddress = new Uri($"http://{http.Authority}/") };
            string? pageSocket = null;
            while (pageSocket is null)
            {
                var targets = await client.GetFromJsonAsync<JsonElement>("json/list", limit.Token);
                pageSocket = targets.EnumerateArray()
                    .FirstOrDefault(t => t.GetProperty("type").GetString() == "page")
                    .TryGetProperty("webSocketDebuggerUrl", out var url) ? url.GetString() : null;
                if (pageSocket is null)
                {
                    await Task.Delay(100, limit.Token);
                }
            }

            await browser._socket.ConnectAsync(new Uri(pageSocket), limit.Token);
            browser._receiver = browser.ReceiveLoopAsync();
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            if (phoneWidth is { } width)
            {
                await browser.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
                {
                    ["width"] = width,
                    ["height"] = 844,
                    ["deviceScaleFactor"] = 1,
                    ["mobile"] = true,
                });
            }

            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits until the document has loaded (images included).</summary>
    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri });
        await WaitForAsync("document.readyState === 'complete' && location.href !== 'about:blank'", TimeSpan.FromSeconds(30), $"{url} to load");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"Script failed in the page: {exception}");
        }

        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v : default;
    }

    /// <summary>Polls <paramref name="condition"/> (a boolean expression) until true; fails with the page text when it never is.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await EvaluateAsync($"!!({condition})");
            if (value.ValueKind == JsonValueKind.True)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var text = await EvaluateAsync("document.body ? document.body.innerText : ''");
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}. Page text:\n{text}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, close.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The browser is killed next anyway.
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            await _receiver;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Expected once the browser is gone.
        }

        _socket.Dispose();
        _process.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium's crash handler may still hold a file for a moment.
        }
    }

    private async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending)
        {
            _pending[id] = reply;
        }

        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        var result = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return result;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            using var document = JsonDocument.Parse(message.ToArray());
            message.SetLength(0);
            if (!document.RootElement.TryGetProperty("id", out var idElement))
            {
                continue; // an event
            }

            TaskCompletionSource<JsonElement>? reply;
            lock (_pending)
            {
                _pending.Remove(idElement.GetInt32(), out reply);
            }

            if (reply is null)
            {
                continue;
            }

            if (document.RootElement.TryGetProperty("error", out var error))
            {
                reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
            }
            else
            {
                reply.TrySetResult(document.RootElement.GetProperty("result").Clone());
            }
        }
    }
}
