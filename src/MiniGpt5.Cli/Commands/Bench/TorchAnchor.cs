using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// PyTorch CPU as a timing anchor for `bench ops`: one long-lived Python process (default /usr/bin/python3, with
/// Debian's torch) on the same thread count, driven line by line over stdin/stdout, so each of our repeats can be
/// followed by one of PyTorch's on the same shapes and the machine's varying load hits both alike. Python times
/// each call itself (time.perf_counter, under torch.no_grad), so the pipe costs nothing.
/// </summary>
internal sealed class TorchAnchor : IAsyncDisposable
{
    // Cases are built once per setup; "run" times one call. Attention is what diffusers runs for SD 2.1: the fused
    // F.scaled_dot_product_attention on torch >= 2, baddbmm + softmax + bmm (AttnProcessor) before it.
    private const string Script = """
        import json, sys, time
        try:
            import torch
            import torch.nn.functional as F
        except Exception as e:
            print(json.dumps({"error": "cannot import torch: %s" % e}), flush=True)
            sys.exit(0)
        torch.set_num_threads(int(sys.argv[1]))
        sdpa = hasattr(F, "scaled_dot_product_attention")
        print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "sdpa": sdpa}), flush=True)
        torch.manual_seed(0)
        call = None
        def setup(r):
            kind = r["case"]
            if kind == "conv":
                x = torch.randn(r["n"], r["c"], r["hw"], r["hw"]); w = torch.randn(r["c"], r["c"], r["k"], r["k"]); b = torch.randn(r["c"])
                p = r["k"] // 2
                return lambda: F.conv2d(x, w, b, padding=p), "F.conv2d"
            if kind == "groupnorm":
                x = torch.randn(r["n"], r["c"], r["hw"], r["hw"]); g = torch.randn(r["c"]); b = torch.randn(r["c"])
                return lambda: F.group_norm(x, r["groups"], g, b, 1e-5), "F.group_norm"
            if kind == "attention":
                bh, l, s, e = r["b"] * r["h"], r["l"], r["s"], r["e"]
                q = torch.randn(r["b"], r["h"], l, e); k = torch.randn(r["b"], r["h"], s, e); v = torch.randn(r["b"], r["h"], s, e)
                if sdpa:
                    return lambda: F.scaled_dot_product_attention(q, k, v), "F.scaled_dot_product_attention"
                q3, k3, v3 = q.reshape(bh, l, e), k.reshape(bh, s, e), v.reshape(bh, s, e)
                scale = e ** -0.5
                def attend():
                    scores = torch.baddbmm(torch.empty(bh, l, s), q3, k3.transpose(1, 2), beta=0, alpha=scale)
                    return torch.bmm(scores.softmax(dim=-1), v3)
                return attend, "baddbmm+softmax+bmm (diffusers AttnProcessor, torch<2)"
            raise ValueError("unknown case " + kind)
        with torch.no_grad():
            for line in sys.stdin:
                r = json.loads(line)
                try:
                    if r["op"] == "setup":
                        call, name = setup(r)
                        call()
                        print(json.dumps({"name": name}), flush=True)
                    elif r["op"] == "run":
                        t = time.perf_counter(); call(); t = time.perf_counter() - t
                        print(json.dumps({"seconds": t}), flush=True)
                    else:
                        break
                except Exception as e:
                    print(json.dumps({"error": str(e)}), flush=True)
        """;

    private readonly Process _process;
    private readonly string _scriptPath;

    private TorchAnchor(Process process, string scriptPath, string version, int threads)
    {
        _process = process;
        _scriptPath = scriptPath;
        Version = version;
        Threads = threads;
    }

    /// <summary>torch.__version__.</summary>
    public string Version { get; }

    /// <summary>torch.get_num_threads() after setting it.</summary>
    public int Threads { get; }

    /// <summary>Starts the Python process, or returns (null, why not).</summary>
    public static async Task<(TorchAnchor? Anchor, string? Problem)> StartAsync(string python, int threads, CancellationToken cancellationToken)
    {
        var scriptPath = Path.Combine(Path.GetTempPath(), $"minigpt5-bench-torch-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(scriptPath, Script, cancellationToken);
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(scriptPath);
        start.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            File.Delete(scriptPath);
            return (null, $"PyTorch anchor unavailable: cannot start {python} ({e.Message}).");
        }

        var hello = await ReadReplyAsync(process, cancellationToken);
        if (hello is null || hello["error"] is not null)
        {
            var why = hello?["error"]?.GetValue<string>() ?? (await process.StandardError.ReadToEndAsync(cancellationToken)).Trim();
            await process.WaitForExitAsync(cancellationToken);
            process.Dispose();
            File.Delete(scriptPath);
            return (null, $"PyTorch anchor unavailable: {python}: {why}");
        }

        return (new TorchAnchor(process, scriptPath, hello["version"]!.GetValue<string>(), hello["threads"]!.GetValue<int>()), null);
    }

    /// <summary>Builds a case in the Python process (and runs it once); returns the name of the torch call used.</summary>
    public async Task<string> SetupAsync(object request, CancellationToken cancellationToken)
    {
        var node = JsonSerializer.SerializeToNode(request)!.AsObject();
        node["op"] = "setup";
        var reply = await ExchangeAsync(node.ToJsonString(), cancellationToken);
        return reply["name"]!.GetValue<string>();
    }

    /// <summary>Times one call of the current case, in seconds as measured inside Python.</summary>
    public async Task<double> RunAsync(CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync("""{"op":"run"}""", cancellationToken);
        return reply["seconds"]!.GetValue<double>();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("""{"op":"quit"}""");
                _process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _process.Kill();
        }
        finally
        {
            _process.Dispose();
            File.Delete(_scriptPath);
        }
    }

    private static async Task<JsonNode?> ReadReplyAsync(Process process, CancellationToken cancellationToken)
    {
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        return line is null ? null : JsonNode.Parse(line);
    }

    private async Task<JsonNode> ExchangeAsync(string request, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(request.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var reply = await ReadReplyAsync(_process, cancellationToken)
            ?? throw new InvalidOperationException($"The PyTorch process ended: {(await _process.StandardError.ReadToEndAsync(cancellationToken)).Trim()}");
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"PyTorch failed on {request}: {error.GetValue<string>()}");
        }

        return reply;
    }
}
