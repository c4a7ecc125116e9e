using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench ops [--json] [--threads N]`: the CPU engine's heavy ops beside anchors measured in the same run
/// on the same thread count:
/// <list type="bullet">
/// <item>GEMM/GEMV f32 (square 512..4096, LLaMA-7B decode 1×4096×4096 and prefill 128×4096×11008, as matmul x·B and
/// as linear x·Wᵀ) beside OpenBLAS cblas_sgemm (Debian's libopenblas.so.0, loaded here only), in GFLOP/s;</item>
/// <item>decode GEMV with bf16/f16 weights (x·Wᵀ, W [11008, 4096]) beside a plain SIMD read of the same weight
/// bytes on the same threads: the memory-bandwidth ceiling, in GB/s;</item>
/// <item>conv2d 3×3, group norm and attention at SD-2.1-512 UNet shapes beside PyTorch CPU (a /usr/bin/python3
/// subprocess, torch.set_num_threads(N)), in GFLOP/s or ms;</item>
/// <item>safetensors load: open a temporary file and touch every byte of every tensor (memory-mapped), beside a
/// FileStream read of the same file touching the same bytes, in MB/s (page cache warm for both).</item>
/// </list>
/// Each case alternates one run of ours with one of the anchor and keeps the best of each (at least --repeats pairs
/// and --seconds of measuring), so a load spike on this shared machine hits both alike.
/// </summary>
internal static class BenchOpsCommand
{
    private static readonly string[] Groups = ["gemm", "decode", "conv", "norm", "attention", "safetensors"];

    /// <summary>Where checksums go, so no timed read can be optimised away.</summary>
    private static ulong _sink;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case (name, unit, ours, anchor, ratio)." };
        var threads = new Option<int>("--threads")
        {
            Description = "Threads for our engine, OpenBLAS and PyTorch alike.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var repeats = new Option<int>("--repeats") { Description = "Minimum timed pairs (ours, anchor) per case; best of each is kept.", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds") { Description = "Minimum measuring time per case, in seconds.", DefaultValueFactory = _ => 1.0 };
        var only = new Option<string?>("--only") { Description = $"Comma-separated groups to run: {string.Join(", ", Groups)} (default: all)." };
        var python = new Option<string>("--python") { Description = "Python with torch for the PyTorch anchor.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var sizeMb = new Option<int>("--safetensors-mb") { Description = "Size of the temporary safetensors file.", DefaultValueFactory = _ => 256 };
        var command = new Command("ops", "CPU engine ops (GEMM, GEMV, conv2d, group norm, attention, safetensors load) beside OpenBLAS, PyTorch and memory speed.")
        {
            json,
            threads,
            repeats,
            seconds,
            only,
            python,
            sizeMb,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                parse.GetValue(json), parse.GetValue(threads), parse.GetValue(repeats), parse.GetValue(seconds), parse.GetValue(only),
                parse.GetValue(python)!, parse.GetValue(sizeMb)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var groups = settings.Only is null
            ? Groups
            : settings.Only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = groups.Except(Groups).ToArray();
        if (unknown.Length > 0 || settings.Threads < 1 || settings.Repeats < 1 || settings.Seconds is < 0 or > 600 || settings.SafetensorsMb is < 1 or > 16384)
        {
            await Console.Error.WriteLineAsync(unknown.Length > 0
                ? $"minigpt5 bench ops: unknown group(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", Groups)}."
                : "minigpt5 bench ops: --threads and --repeats must be at least 1, --seconds 0..600, --safetensors-mb 1..16384.");
            return 2;
        }

        // Notes go to stderr under --json, so stdout stays one JSON object per line.
        var log = settings.Json ? Console.Error : Console.Out;
        var bench = new Bench(settings, log, cancellationToken);
        CpuBackend.Threads = settings.Threads;
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({RuntimeInformation.OSArchitecture}, AVX-512 {(Avx512F.IsSupported ? "yes" : "no")}, AVX2 {(Avx2.IsSupported ? "yes" : "no")}), " +
            $"{settings.Threads} thread(s); load average {LoadAverage()}; best of >= {settings.Repeats} alternating pairs and >= {settings.Seconds} s per case."));

        if (groups.Contains("gemm") || groups.Contains("decode"))
        {
            using var blas = OpenBlasAnchor.TryLoad(settings.Threads, out var problem);
            await log.WriteLineAsync(blas is null ? problem : $"Anchor: {blas.Config}, core {blas.Core}.");
            if (groups.Contains("gemm"))
            {
                await GemmCasesAsync(bench, blas);
            }

            if (groups.Contains("decode"))
            {
                await DecodeCasesAsync(bench);
            }
        }

        if (groups.Contains("conv") || groups.Contains("norm") || groups.Contains("attention"))
        {
            var (torch, problem) = await TorchAnchor.StartAsync(settings.Python, settings.Threads, cancellationToken);
            await log.WriteLineAsync(torch is null ? problem : $"Anchor: PyTorch {torch.Version} on {torch.Threads} thread(s) ({settings.Python}).");
            try
            {
                await DiffusionCasesAsync(bench, torch, groups);
            }
            finally
            {
                if (torch is not null)
                {
                    await torch.DisposeAsync();
                }
            }
        }

        if (groups.Contains("safetensors"))
        {
            await SafetensorsCaseAsync(bench, settings.SafetensorsMb);
        }

        return 0;
    }

    private static async Task GemmCasesAsync(Bench bench, OpenBlasAnchor? blas)
    {
        (string Name, int M, int N, int K, bool Linear)[] cases =
        [
            ("gemm/f32/512", 512, 512, 512, false),
            ("gemm/f32/1024", 1024, 1024, 1024, false),
            ("gemm/f32/2048", 2048, 2048, 2048, false),
            ("gemm/f32/4096", 4096, 4096, 4096, false),
            ("gemv/f32/1x4096x4096 (x·B)", 1, 4096, 4096, false),
            ("gemv/f32/1x4096x4096 (linear x·Wᵀ)", 1, 4096, 4096, true),
            ("gemm/f32/128x4096x11008 (x·B)", 128, 11008, 4096, false),
            ("gemm/f32/128x4096x11008 (linear x·Wᵀ)", 128, 11008, 4096, true),
        ];
        foreach (var (name, m, n, k, linear) in cases)
        {
            using var scope = TensorScope.Enter();
            var a = Tensor.Rand([m, k], new Generator(1));
            var b = linear ? Tensor.Rand([n, k], new Generator(2)) : Tensor.Rand([k, n], new Generator(2));
            var c = Tensor.Empty([m, n]);
            var anchorOutput = Tensor.Empty([m, n]);
            var flops = 2.0 * m * n * k;
            Action ours = linear ? () => Ops.Linear(a, b, null, c) : () => Ops.Matmul(a, b, c);
            Func<Task<double>>? anchor = blas is null
                ? null
                : () => Task.FromResult(Time(() => blas.Sgemm(m, n, k, a.DataPointer, b.DataPointer, linear, anchorOutput.DataPointer)));
            var (oursSeconds, anchorSeconds) = await bench.MeasureAsync(ours, anchor);
            if (anchorSeconds is not null)
            {
                CheckClose(c, anchorOutput, name);
            }

            bench.Report(name, "GFLOP/s", flops / oursSeconds / 1e9, blas?.Name, anchorSeconds is { } s2 ? flops / s2 / 1e9 : null, higherIsBetter: true);
        }
    }

    private static async Task DecodeCasesAsync(Bench bench)
    {
        // LLaMA-7B MLP up-projection while decoding one token: the weight streams once per token.
        const int N = 11008, K = 4096;
        foreach (var dtype in new[] { DType.BFloat16, DType.Float16, DType.Float32 })
        {
            using var scope = TensorScope.Enter();
            var x = Tensor.Rand([1, K], new Generator(1));
            using var floats = Tensor.Rand([N, K], new Generator(2));
            var w = floats.To(dtype);
            var y = Tensor.Empty([1, N]);
            var bytes = (double)N * K * dtype.SizeOf();
            var (ours, read) = await bench.MeasureAsync(
                () => Ops.Linear(x, w, null, y),
                () => Task.FromResult(Time(() => MemoryRead(w, bench.Settings.Threads))));
            bench.Report(
                $"gemv/{dtype.TorchName()}-weight/1x4096x11008 (linear x·Wᵀ)", "GB/s", bytes / ours / 1e9,
                "SIMD read of the same weight bytes (memory ceiling)", bytes / read!.Value / 1e9, higherIsBetter: true);
        }
    }

    private static async Task DiffusionCasesAsync(Bench bench, TorchAnchor? torch, string[] groups)
    {
        var ct = bench.CancellationToken;
        if (groups.Contains("conv"))
        {
            foreach (var (channels, size) in new[] { (320, 64), (640, 32), (1280, 16) })
            {
                using var scope = TensorScope.Enter();
                var x = Tensor.Randn([2, channels, size, size], new Generator(1));
                var w = Tensor.Randn([channels, channels, 3, 3], new Generator(2));
                var b = Tensor.Randn([channels], new Generator(3));
                var torchName = torch is null ? null : await torch.SetupAsync(new { @case = "conv", n = 2, c = channels, hw = size, k = 3 }, ct);
                var (ours, anchor) = await bench.MeasureAsync(
                    () =>
                    {
                        using var result = Ops.Conv2d(x, w, b, padding: 1);
                    },
                    torch is null ? null : () => torch.RunAsync(ct));
                var flops = 2.0 * 2 * channels * channels * 9 * size * size;
                bench.Report(
                    $"conv2d/3x3/{channels}->{channels}@{size}x{size}/batch2", "GFLOP/s", flops / ours / 1e9,
                    torchName is null ? null : $"PyTorch {torch!.Version} {torchName}", anchor is { } s ? flops / s / 1e9 : null, higherIsBetter: true);
            }
        }

        if (groups.Contains("norm"))
        {
            using var scope = TensorScope.Enter();
            var x = Tensor.Randn([2, 320, 64, 64], new Generator(1));
            var g = Tensor.Randn([320], new Generator(2));
            var b = Tensor.Randn([320], new Generator(3));
            var y = Tensor.Empty([2, 320, 64, 64]);
            var torchName = torch is null ? null : await torch.SetupAsync(new { @case = "groupnorm", n = 2, c = 320, hw = 64, groups = 32 }, ct);
            var (ours, anchor) = await bench.MeasureAsync(() => Ops.GroupNorm(x, 32, g, b, 1e-5, y), torch is null ? null : () => torch.RunAsync(ct));
            bench.Report(
                "group_norm/32/[2,320,64,64]", "ms", ours * 1e3, torchName is null ? null : $"PyTorch {torch!.Version} {torchName}", anchor * 1e3,
                higherIsBetter: false);
        }

        if (groups.Contains("attention"))
        {
            foreach (var (label, keys) in new[] { ("self", 4096), ("cross", 77) })
            {
                using var scope = TensorScope.Enter();
                const int Batch = 2, Heads = 5, Queries = 4096, Dim = 64;
                var q = Tensor.Randn([Batch, Heads, Queries, Dim], new Generator(1));
                var k = Tensor.Randn([Batch, Heads, keys, Dim], new Generator(2));
                var v = Tensor.Randn([Batch, Heads, keys, Dim], new Generator(3));
                var o = Tensor.Empty([Batch, Heads, Queries, Dim]);
                var torchName = torch is null ? null : await torch.SetupAsync(new { @case = "attention", b = Batch, h = Heads, l = Queries, s = keys, e = Dim }, ct);
                var (ours, anchor) = await bench.MeasureAsync(() => Ops.ScaledDotProductAttention(q, k, v, output: o), torch is null ? null : () => torch.RunAsync(ct));
                var flops = 4.0 * Batch * Heads * Queries * keys * Dim;
                bench.Report(
                    $"attention/{label}/2x5 heads x64/4096x{keys}", "GFLOP/s", flops / ours / 1e9,
                    torchName is null ? null : $"PyTorch {torch!.Version} {torchName}", anchor is { } s ? flops / s / 1e9 : null, higherIsBetter: true);
            }
        }
    }

    private static async Task SafetensorsCaseAsync(Bench bench, int sizeMb)
    {
        // 4 MiB float32 tensors (1M elements each) adding up to sizeMb.
        var path = Path.Combine(Path.GetTempPath(), $"minigpt5-bench-{Environment.ProcessId}.safetensors");
        var count = Math.Max(1, sizeMb / 4);
        try
        {
            using (var scope = TensorScope.Enter())
            {
                var entries = Enumerable.Range(0, count)
                    .Select(i => SafetensorsWriteEntry.FromTensor($"layers.{i}.weight", Tensor.Rand([1024, 1024], new Generator((ulong)i + 1))))
                    .ToList();
                await SafetensorsWriter.WriteFileAsync(path, entries, null, overwrite: true, cancellationToken: bench.CancellationToken);
            }

            var bytes = (double)new FileInfo(path).Length;
            var buffer = new byte[1 << 20];
            var (ours, anchor) = await bench.MeasureAsync(
                () =>
                {
                    using var set = CheckpointSet.Open(path, cancellationToken: bench.CancellationToken);
                    ulong sum = 0;
                    foreach (var tensor in set.Values)
                    {
                        sum += Checksum(tensor.GetContiguousBytes());
                    }

                    _sink += sum;
                },
                () => Task.FromResult(Time(() =>
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
                    ulong sum = 0;
                    int read;
                    while ((read = stream.Read(buffer)) > 0)
                    {
                        sum += Checksum(buffer.AsSpan(0, read));
                    }

                    _sink += sum;
                })));
            bench.Report(
                $"safetensors/open+touch {sizeMb} MB", "MB/s", bytes / ours / 1e6, "FileStream read of the same file, same touch", bytes / anchor!.Value / 1e6,
                higherIsBetter: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Sum of the bytes as 64-bit words (a cheap SIMD pass that reads every byte).</summary>
    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        var vectors = MemoryMarshal.Cast<byte, Vector<ulong>>(bytes);
        var sum = Vector<ulong>.Zero;
        foreach (var vector in vectors)
        {
            sum += vector;
        }

        ulong total = Vector.Sum(sum);
        foreach (var b in bytes[(vectors.Length * Vector<byte>.Count)..])
        {
            total += b;
        }

        return total;
    }

    /// <summary>Reads every byte of a tensor's storage on <paramref name="threads"/> threads (contiguous parts).</summary>
    private static void MemoryRead(Tensor tensor, int threads)
    {
        var length = tensor.Storage.ByteLength;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            var from = (int)(length * part / threads);
            var to = (int)(length * (part + 1) / threads);
            Interlocked.Add(ref _sink, Checksum(tensor.Storage.AsBytes()[from..to]));
        });
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Our product must agree with OpenBLAS's (relative Frobenius error), or the timing means nothing.</summary>
    private static void CheckClose(Tensor ours, Tensor anchor, string name)
    {
        var a = ours.AsSpan<float>();
        var b = anchor.AsSpan<float>();
        double error = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            error += (double)(a[i] - b[i]) * (a[i] - b[i]);
            norm += (double)b[i] * b[i];
        }

        if (Math.Sqrt(error / Math.Max(norm, 1e-30)) > 1e-5)
        {
            throw new InvalidOperationException($"{name}: our product differs from OpenBLAS's (relative error {Math.Sqrt(error / norm):G3}).");
        }
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

    private sealed record Settings(bool Json, int Threads, int Repeats, double Seconds, string? Only, string Python, int SafetensorsMb);

    /// <summary>Timing and reporting shared by the cases.</summary>
    private sealed class Bench(Settings settings, TextWriter log, CancellationToken cancellationToken)
    {
        public Settings Settings { get; } = settings;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>Warms both up, then alternates ours and the anchor until both minimums are met; best of each.</summary>
        public async Task<(double Ours, double? Anchor)> MeasureAsync(Action ours, Func<Task<double>>? anchor)
        {
            ours();
            if (anchor is not null)
            {
                await anchor();
            }

            double bestOurs = double.MaxValue, bestAnchor = double.MaxValue;
            var watch = Stopwatch.StartNew();
            for (var pair = 0; pair < Settings.Repeats || (watch.Elapsed.TotalSeconds < Settings.Seconds && pair < 1000); pair++)
            {
                CancellationToken.ThrowIfCancellationRequested();
                bestOurs = Math.Min(bestOurs, Time(ours));
                if (anchor is not null)
                {
                    bestAnchor = Math.Min(bestAnchor, await anchor());
                }
            }

            return (bestOurs, anchor is null ? null : bestAnchor);
        }

        public void Report(string name, string unit, double ours, string? anchorName, double? anchor, bool higherIsBetter)
        {
            if (anchorName is null || anchor is null)
            {
                // No anchor on this machine: ours only, as a note (not a BenchResult, which needs an anchor).
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} ours {ours,12:G5} {unit,-10} (no anchor)"));
                return;
            }

            var result = higherIsBetter
                ? BenchResult.HigherIsBetter(name, unit, ours, anchorName, anchor.Value)
                : BenchResult.LowerIsBetter(name, unit, ours, anchorName, anchor.Value);
            Console.WriteLine(Settings.Json ? result.ToJson() : result.ToText());
        }
    }
}
