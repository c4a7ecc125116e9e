using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Models.Llama;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench llama [--json]`: LLaMA inference on the CPU with bf16 weights, at a ~1.1B-parameter config by default
/// (TinyLlama's shape: 22 layers, hidden 2048, MLP 5632, 32 heads / 4 KV heads, vocab 32000). Random weights are
/// written once to a temporary HF folder; our engine and PyTorch (tools/reference/llama_bench_torch.py, transformers
/// 4.31's model in bf16, on /usr/bin/python3 with the same thread count) load the same file and run the same prompt
/// and the same forced decode ids, in this one run. Printed: prefill and decode tokens/s beside PyTorch's, and decode
/// beside the ceiling this machine's memory bandwidth sets (weight bytes read per token / the higher of the read bandwidths measured just before and just after our decode).
/// Each side keeps its best of --repeats.
/// </summary>
internal static class BenchLlamaCommand
{
    private const string TorchScript = "llama_bench_torch.py";

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case (name, unit, ours, anchor, ratio)." };
        var threads = new Option<int>("--threads") { Description = "Threads for our engine and PyTorch alike.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 22 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size (heads = hidden / 64; MLP ≈ 2.75 × hidden).", DefaultValueFactory = _ => 2048 };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => 32000 };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length for prefill.", DefaultValueFactory = _ => 64 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Decode steps timed after the prompt.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Runs per side (prefill + decode); the best is kept.", DefaultValueFactory = _ => 2 };
        var bandwidthMb = new Option<int>("--bandwidth-mb") { Description = "Buffer read to measure memory bandwidth.", DefaultValueFactory = _ => 1024 };
        var python = new Option<string>("--python") { Description = "Python with torch for the PyTorch anchor.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noTorch = new Option<bool>("--no-torch") { Description = "Skip the PyTorch anchor (the bandwidth ceiling is still measured)." };
        var referenceDir = new Option<string?>("--reference-dir") { Description = $"Folder holding {TorchScript} (default: tools/reference of the repository we run from)." };
        var command = new Command("llama", "LLaMA prefill and decode tokens/s (bf16 weights, CPU) beside PyTorch and the memory-bandwidth ceiling.")
        {
            json, threads, layers, hidden, vocab, promptTokens, newTokens, repeats, bandwidthMb, python, noTorch, referenceDir,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                parse.GetValue(json), parse.GetValue(threads), parse.GetValue(layers), parse.GetValue(hidden), parse.GetValue(vocab),
                parse.GetValue(promptTokens), parse.GetValue(newTokens), parse.GetValue(repeats), parse.GetValue(bandwidthMb),
                parse.GetValue(python)!, parse.GetValue(noTorch), parse.GetValue(referenceDir)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads < 1 || s.Layers < 1 || s.Hidden < 64 || s.Hidden % 64 != 0 || s.Vocab < 16 || s.PromptTokens < 1 || s.NewTokens < 1
            || s.Repeats < 1 || s.BandwidthMb is < 1 or > 2047)
        {
            await Console.Error.WriteLineAsync(
                "minigpt5 bench llama: --threads, --layers, --prompt-tokens, --new-tokens and --repeats must be at least 1, --hidden a multiple of 64, " +
                "--vocab at least 16, --bandwidth-mb 1..2047.");
            return 2;
        }

        var log = s.Json ? Console.Error : Console.Out;
        CpuBackend.Threads = s.Threads;
        var heads = s.Hidden / 64;
        var config = new LlamaConfig
        {
            HiddenSize = s.Hidden,
            IntermediateSize = (int)Math.Round(s.Hidden * 2.75 / 256) * 256,
            NumLayers = s.Layers,
            NumHeads = heads,
            NumKeyValueHeads = Math.Max(1, heads / 8),
            VocabSize = s.Vocab,
            RmsNormEps = 1e-5,
            MaxPositionEmbeddings = Math.Max(2048, s.PromptTokens + s.NewTokens),
        };
        var random = new Random(1234);
        var prompt = Enumerable.Range(0, s.PromptTokens).Select(_ => random.Next(3, s.Vocab)).ToArray();
        var decode = Enumerable.Range(0, s.NewTokens).Select(_ => random.Next(3, s.Vocab)).ToArray();
        var folder = Path.Combine(Path.GetTempPath(), $"minigpt5-bench-llama-{Environment.ProcessId}");
        try
        {
            var watch = Stopwatch.StartNew();
            var fileBytes = await RandomLlamaFolder.WriteAsync(folder, config, cancellationToken);
            var weightBytes = RandomLlamaFolder.DecodeWeightBytes(config);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{config.ParameterCount() / 1e9:F3}B parameters (layers {config.NumLayers}, hidden {config.HiddenSize}, MLP {config.IntermediateSize}, heads {config.NumHeads}/{config.NumKeyValueHeads} KV, vocab {config.VocabSize}), " +
                $"bf16 weights {fileBytes / 1e9:F2} GB written in {watch.Elapsed.TotalSeconds:F1} s; prompt {s.PromptTokens}, {s.NewTokens} decode steps, {s.Threads} thread(s), best of {s.Repeats}; load average {LoadAverage()}."));

            // The read bandwidth of a shared machine drifts by tens of percent within minutes, so it is measured right
            // before and right after our decode and the higher value sets the ceiling (the conservative choice).
            var before = MemoryBandwidth.Measure(s.BandwidthMb << 20, s.Threads, passes: 5, cancellationToken);
            var ours = MeasureOurs(folder, prompt, decode, s.Repeats, cancellationToken);
            var after = MemoryBandwidth.Measure(s.BandwidthMb << 20, s.Threads, passes: 5, cancellationToken);
            var bandwidth = Math.Max(before, after);
            var ceiling = bandwidth / weightBytes;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"memory read bandwidth {before / 1e9:F2} GB/s before and {after / 1e9:F2} GB/s after our decode ({s.BandwidthMb} MiB SIMD read, {s.Threads} thread(s)); " +
                $"decode reads {weightBytes / 1e9:F3} GB of weights per token, so the ceiling is {ceiling:F2} tok/s."));

            var torch = s.NoTorch ? (null, "PyTorch anchor skipped (--no-torch).") : await MeasureTorchAsync(folder, prompt, decode, s, cancellationToken);
            if (torch.Problem is not null)
            {
                await log.WriteLineAsync(torch.Problem);
            }
            else if (torch.Result!.Logits is { } reference)
            {
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"last prompt position logits: ours (f32 activations) vs PyTorch (bf16 activations) max |diff| {MaxDiff(ours.Logits, reference):G3}, largest |logit| {reference.Max(Math.Abs):G3}."));
            }

            var anchorName = torch.Result is { } t ? $"PyTorch {t.Version} bf16 (transformers-4.31 LLaMA, {t.Threads} thread(s))" : null;
            Report(s, log, $"llama/prefill/{s.PromptTokens} tokens", "tok/s", s.PromptTokens / ours.PrefillSeconds, anchorName, torch.Result is { } p ? s.PromptTokens / p.PrefillSeconds : null);
            Report(s, log, "llama/decode", "tok/s", 1 / ours.DecodeSecondsPerToken, anchorName, torch.Result is { } d ? 1 / d.DecodeSecondsPerToken : null);
            Report(s, log, "llama/decode vs bandwidth ceiling", "tok/s", 1 / ours.DecodeSecondsPerToken,
                string.Create(CultureInfo.InvariantCulture, $"memory-bandwidth ceiling ({bandwidth / 1e9:F2} GB/s / {weightBytes / 1e9:F3} GB per token)"), ceiling);
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static OursResult MeasureOurs(string folder, int[] prompt, int[] decode, int repeats, CancellationToken cancellationToken)
    {
        using var model = LlamaForCausalLM.Load(folder, cancellationToken: cancellationToken);
        double bestPrefill = double.MaxValue, bestDecode = double.MaxValue;
        float[] logits = [];
        for (var run = 0; run < repeats; run++)
        {
            using var session = model.CreateSession(prompt.Length + decode.Length);
            var watch = Stopwatch.StartNew();
            using (var hidden = session.ForwardTokens(prompt))
            {
                logits = session.ComputeLogits(hidden, prompt.Length - 1).ToArray();
            }

            bestPrefill = Math.Min(bestPrefill, watch.Elapsed.TotalSeconds);
            watch.Restart();
            foreach (var token in decode)
            {
                cancellationToken.ThrowIfCancellationRequested();
                session.Step(token);
            }

            bestDecode = Math.Min(bestDecode, watch.Elapsed.TotalSeconds / decode.Length);
        }

        return new OursResult(bestPrefill, bestDecode, logits);
    }

    private static async Task<(TorchResult? Result, string? Problem)> MeasureTorchAsync(string folder, int[] prompt, int[] decode, Settings s, CancellationToken cancellationToken)
    {
        if (ReferenceScript.Find(TorchScript, s.ReferenceDir) is not { } script)
        {
            return (null, $"PyTorch anchor unavailable: {TorchScript} not found (pass --reference-dir tools/reference).");
        }

        var idsPath = Path.Combine(folder, "ids.json");
        var outputPath = Path.Combine(folder, "torch-output.safetensors");
        await File.WriteAllTextAsync(idsPath, JsonSerializer.Serialize(new { prompt, decode }), cancellationToken);
        var (json, problem) = await ReferenceScript.RunAsync(
            s.Python,
            script,
            ["--folder", folder, "--ids", idsPath, "--output", outputPath, "--repeats", s.Repeats.ToString(CultureInfo.InvariantCulture), "--threads", s.Threads.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(30),
            cancellationToken);
        if (json is null)
        {
            return (null, problem);
        }

        float[]? logits = null;
        if (File.Exists(outputPath))
        {
            using var set = CheckpointSet.Open(outputPath, cancellationToken: cancellationToken);
            var tensor = set["prefill_logits"];
            using var view = Tensor.FromStorage(tensor.Storage, tensor.DType, tensor.Shape, tensor.Strides, tensor.ElementOffset);
            using var floats = view.To(DType.Float32);
            logits = floats.ToFloatArray();
        }

        return (new TorchResult(
            json["prefill_seconds"]!.GetValue<double>(), json["decode_seconds_per_token"]!.GetValue<double>(), json["torch"]!.GetValue<string>(),
            json["threads"]!.GetValue<int>(), logits), null);
    }

    private static void Report(Settings s, TextWriter log, string name, string unit, double ours, string? anchorName, double? anchor)
    {
        if (anchorName is null || anchor is null)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} ours {ours,12:G5} {unit,-10} (no anchor)"));
            return;
        }

        var result = BenchResult.HigherIsBetter(name, unit, ours, anchorName, anchor.Value);
        Console.WriteLine(s.Json ? result.ToJson() : result.ToText());
    }

    private static double MaxDiff(float[] a, float[] b)
    {
        double max = 0;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private sealed record Settings(
        bool Json, int Threads, int Layers, int Hidden, int Vocab, int PromptTokens, int NewTokens, int Repeats, int BandwidthMb,
        string Python, bool NoTorch, string? ReferenceDir);

    private sealed record OursResult(double PrefillSeconds, double DecodeSecondsPerToken, float[] Logits);

    private sealed record TorchResult(double PrefillSeconds, double DecodeSecondsPerToken, string Version, int Threads, float[]? Logits);
}
