using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Cpu;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench unet [--json] [--small]`: Stable Diffusion 2.1-base on the CPU in float32 beside PyTorch on the
/// same weights, in one run: one classifier-free-guided UNet step (batch 2: latent [2, 4, 64, 64], context
/// [2, 77, 1024]) and one VAE decode of a [1, 4, 64, 64] latent to 512×512. Weights are random (at PyTorch's default
/// scale, see <see cref="FastRandomInit"/>) at the published configs, saved once to a temporary safetensors file that both sides load;
/// PyTorch runs tools/reference/sd_reference.py's modules through sd_bench_torch.py on /usr/bin/python3 with the same
/// thread count. Printed per component: seconds (best of --repeats after a warm-up) and peak memory — ours is the
/// process's peak resident set (VmHWM, reset after loading) with our allocator's high-water mark beside it, PyTorch's is
/// its VmHWM measured the same way — and how far the two outputs are apart.
/// </summary>
internal static class BenchUnetCommand
{
    private const string TorchScript = "sd_bench_torch.py";

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case (name, unit, ours, anchor, ratio)." };
        var threads = new Option<int>("--threads") { Description = "Threads for our engine and PyTorch alike.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var small = new Option<bool>("--small") { Description = "A small UNet and VAE of the same architecture (quick check, not SD-2.1 numbers)." };
        var latent = new Option<int>("--latent") { Description = "Latent height and width (64 = 512×512 images).", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per side after one warm-up; the best is kept.", DefaultValueFactory = _ => 2 };
        var only = new Option<string?>("--only") { Description = "unet or vae (default: both)." };
        only.AcceptOnlyFromAmong("unet", "vae");
        var python = new Option<string>("--python") { Description = "Python with torch for the PyTorch anchor.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noTorch = new Option<bool>("--no-torch") { Description = "Skip the PyTorch anchor." };
        var referenceDir = new Option<string?>("--reference-dir") { Description = $"Folder holding {TorchScript} and sd_reference.py (default: tools/reference of the repository we run from)." };
        var command = new Command("unet", "One guided SD-2.1-base UNet step and one VAE decode (float32, CPU) beside PyTorch on the same weights, with peak memory.")
        {
            json, threads, small, latent, repeats, only, python, noTorch, referenceDir,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Settings(
                parse.GetValue(json), parse.GetValue(threads), parse.GetValue(small), parse.GetValue(latent), parse.GetValue(repeats),
                parse.GetValue(only), parse.GetValue(python)!, parse.GetValue(noTorch), parse.GetValue(referenceDir)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads < 1 || s.Repeats < 1 || s.Latent < 8 || s.Latent % 8 != 0 || s.Latent > 256)
        {
            await Console.Error.WriteLineAsync("minigpt5 bench unet: --threads and --repeats must be at least 1, --latent a multiple of 8 in 8..256.");
            return 2;
        }

        var log = s.Json ? Console.Error : Console.Out;
        CpuBackend.Threads = s.Threads;
        var folder = Directory.CreateTempSubdirectory("minigpt5-bench-unet-").FullName;
        try
        {
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{(s.Small ? "small" : "SD-2.1-base")} configs, float32 weights and activations, latent {s.Latent}x{s.Latent}, {s.Threads} thread(s), best of {s.Repeats} after a warm-up; load average {LoadAverage()}."));
            var script = s.NoTorch ? null : ReferenceScript.Find(TorchScript, s.ReferenceDir);
            if (!s.NoTorch && script is null)
            {
                await log.WriteLineAsync($"PyTorch anchor unavailable: {TorchScript} not found (pass --reference-dir tools/reference).");
            }
            else if (s.NoTorch)
            {
                await log.WriteLineAsync("PyTorch anchor skipped (--no-torch).");
            }

            if (s.Only is null or "unet")
            {
                await RunComponentAsync(s, log, folder, script, Component.UNet, cancellationToken);
            }

            if (s.Only is null or "vae")
            {
                await RunComponentAsync(s, log, folder, script, Component.Vae, cancellationToken);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunComponentAsync(Settings s, TextWriter log, string folder, string? script, Component component, CancellationToken cancellationToken)
    {
        var name = component == Component.UNet ? "unet" : "vae";
        var weightsPath = Path.Combine(folder, $"{name}.safetensors");
        var inputsPath = Path.Combine(folder, $"{name}-inputs.safetensors");
        var configPath = Path.Combine(folder, $"{name}.json");
        var label = component == Component.UNet
            ? $"unet/guided step/batch 2/{s.Latent}x{s.Latent}"
            : $"vae/decode/{s.Latent}x{s.Latent} -> {s.Latent * 8}x{s.Latent * 8}";

        // Ours: build with seeded PyTorch-default init, save for PyTorch, time, then free before PyTorch runs.
        var watch = Stopwatch.StartNew();
        float[] ours;
        double oursSeconds;
        long oursPeakRss, oursPeakTensors, parameters;
        using (var scope = TensorScope.Enter())
        {
            Module module;
            Func<Tensor> run;
            var inputs = new List<SafetensorsWriteEntry>();
            if (component == Component.UNet)
            {
                var config = s.Small ? SmallUNet : UNet2DConditionConfig.StableDiffusion21Base;
                var unet = new UNet2DConditionModel(config);
                module = unet;
                var sample = Tensor.Randn([2, config.InChannels, s.Latent, s.Latent], new Generator(1));
                var context = Tensor.Randn([2, 77, config.CrossAttentionDim[0]], new Generator(2));
                var timestep = Tensor.FromArray<float>([981f], [1]);
                inputs.AddRange([
                    SafetensorsWriteEntry.FromTensor("sample", sample), SafetensorsWriteEntry.FromTensor("context", context),
                    SafetensorsWriteEntry.FromTensor("timestep", timestep)]);
                await File.WriteAllTextAsync(configPath, UNetConfigJson(config).ToJsonString(), cancellationToken);
                run = () => unet.Forward(sample, 981.0, context);
            }
            else
            {
                var config = s.Small ? SmallVae : AutoencoderKLConfig.StableDiffusion21Base;
                var vae = new AutoencoderKL(config);
                module = vae;
                var latents = Tensor.Randn([1, config.LatentChannels, s.Latent, s.Latent], new Generator(3));
                inputs.Add(SafetensorsWriteEntry.FromTensor("latents", latents));
                await File.WriteAllTextAsync(configPath, VaeConfigJson(config).ToJsonString(), cancellationToken);
                run = () =>
                {
                    using var scaled = Ops.Div(latents, config.ScalingFactor);
                    return vae.Decode(scaled);
                };
            }

            using (module)
            {
                FastRandomInit.Apply(module);
                parameters = module.ParameterCount();
                await ModuleFiles.SaveAsync(module, weightsPath, overwrite: true, cancellationToken: cancellationToken);
                await SafetensorsWriter.WriteFileAsync(inputsPath, inputs, overwrite: true, cancellationToken: cancellationToken);
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {parameters / 1e6:F1}M parameters initialised (PyTorch-default scale) and saved ({new FileInfo(weightsPath).Length / 1e6:F0} MB) in {watch.Elapsed.TotalSeconds:F1} s."));

                var peakWasReset = ResetPeakRss();
                NativeStorage.ResetPeakBytes();
                var baseTensors = NativeStorage.LiveBytes;
                TimeOne(run, out _).Dispose();

                oursSeconds = double.MaxValue;
                Tensor? last = null;
                for (var i = 0; i < s.Repeats; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    last?.Dispose();
                    last = TimeOne(run, out var seconds);
                    oursSeconds = Math.Min(oursSeconds, seconds);
                }

                ours = last!.ToFloatArray();
                last.Dispose();
                oursPeakRss = PeakRss();
                oursPeakTensors = NativeStorage.PeakBytes - baseTensors;
                if (!peakWasReset)
                {
                    await log.WriteLineAsync("note: /proc/self/clear_refs could not be written, so our peak resident set includes building the weights.");
                }
            }
        }

        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{name}: ours {oursSeconds:F3} s, peak resident set {oursPeakRss / 1e6:F0} MB (weights {parameters * 4 / 1e6:F0} MB + activations; our tensor allocator's high-water mark above the weights: {oursPeakTensors / 1e6:F0} MB)."));

        TorchRun? torch = null;
        if (script is not null)
        {
            var outputPath = Path.Combine(folder, $"{name}-torch-output.safetensors");
            var (json, problem) = await ReferenceScript.RunAsync(
                s.Python, script,
                ["--component", name, "--config", configPath, "--weights", weightsPath, "--inputs", inputsPath, "--output", outputPath,
                 "--repeats", s.Repeats.ToString(CultureInfo.InvariantCulture), "--threads", s.Threads.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMinutes(60), cancellationToken);
            if (json is null)
            {
                await log.WriteLineAsync(problem);
            }
            else
            {
                torch = new TorchRun(json["seconds"]!.GetValue<double>(), json["peak_rss_bytes"]?.GetValue<long>(), json["torch"]!.GetValue<string>(), json["threads"]!.GetValue<int>());
                var reference = ReadOutput(outputPath, cancellationToken);
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: PyTorch {torch.Seconds:F3} s, peak resident set {torch.PeakRss / 1e6:F0} MB; outputs differ by relative L2 {RelativeL2(ours, reference):G3}."));
            }
        }

        File.Delete(weightsPath);
        var anchor = torch is null ? null : $"PyTorch {torch.Version} ({torch.Threads} thread(s))";
        Report(s, log, label, "s (ratio = PyTorch/ours)", oursSeconds, anchor, torch?.Seconds);
        Report(s, log, $"{name}/peak resident set", "MB (ratio = PyTorch/ours)", oursPeakRss / 1e6, anchor, torch?.PeakRss / 1e6);
    }

    /// <summary>A 2-level-deep cousin of SD-2.1-base: same block types, linear projections and head layout, tiny widths.</summary>
    private static UNet2DConditionConfig SmallUNet { get; } = UNet2DConditionConfig.StableDiffusion21Base with
    {
        BlockOutChannels = [32, 64, 64, 64],
        LayersPerBlock = [1, 1, 1, 1],
        AttentionHeads = [1, 2, 2, 2],
        CrossAttentionDim = [64, 64, 64, 64],
    };

    private static AutoencoderKLConfig SmallVae { get; } = AutoencoderKLConfig.StableDiffusion21Base with
    {
        BlockOutChannels = [32, 32, 64, 64],
        LayersPerBlock = 1,
    };

    private static Tensor TimeOne(Func<Tensor> run, out double seconds)
    {
        var watch = Stopwatch.StartNew();
        var result = run();
        seconds = watch.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>The diffusers config.json sd_reference.py builds the same UNet from.</summary>
    private static JsonObject UNetConfigJson(UNet2DConditionConfig c) => new()
    {
        ["_class_name"] = "UNet2DConditionModel",
        ["in_channels"] = c.InChannels,
        ["out_channels"] = c.OutChannels,
        ["center_input_sample"] = c.CenterInputSample,
        ["flip_sin_to_cos"] = c.FlipSinToCos,
        ["freq_shift"] = c.FreqShift,
        ["down_block_types"] = new JsonArray([.. c.DownBlockTypes.Select(t => JsonValue.Create(t))]),
        ["up_block_types"] = new JsonArray([.. c.UpBlockTypes.Select(t => JsonValue.Create(t))]),
        ["mid_block_type"] = c.MidBlockType,
        ["block_out_channels"] = new JsonArray([.. c.BlockOutChannels.Select(v => JsonValue.Create(v))]),
        ["layers_per_block"] = new JsonArray([.. c.LayersPerBlock.Select(v => JsonValue.Create(v))]),
        ["attention_head_dim"] = new JsonArray([.. c.AttentionHeads.Select(v => JsonValue.Create(v))]),
        ["cross_attention_dim"] = new JsonArray([.. c.CrossAttentionDim.Select(v => JsonValue.Create(v))]),
        ["transformer_layers_per_block"] = new JsonArray([.. c.TransformerLayersPerBlock.Select(v => JsonValue.Create(v))]),
        ["only_cross_attention"] = new JsonArray([.. c.OnlyCrossAttention.Select(v => JsonValue.Create(v))]),
        ["use_linear_projection"] = c.UseLinearProjection,
        ["upcast_attention"] = c.UpcastAttention,
        ["downsample_padding"] = c.DownsamplePadding,
        ["mid_block_scale_factor"] = c.MidBlockScaleFactor,
        ["norm_num_groups"] = c.NormNumGroups,
        ["norm_eps"] = c.NormEps,
        ["conv_in_kernel"] = c.ConvInKernel,
        ["conv_out_kernel"] = c.ConvOutKernel,
    };

    private static JsonObject VaeConfigJson(AutoencoderKLConfig c) => new()
    {
        ["_class_name"] = "AutoencoderKL",
        ["in_channels"] = c.InChannels,
        ["out_channels"] = c.OutChannels,
        ["down_block_types"] = new JsonArray([.. c.BlockOutChannels.Select(_ => JsonValue.Create(AutoencoderKLConfig.DownEncoderBlock))]),
        ["up_block_types"] = new JsonArray([.. c.BlockOutChannels.Select(_ => JsonValue.Create(AutoencoderKLConfig.UpDecoderBlock))]),
        ["block_out_channels"] = new JsonArray([.. c.BlockOutChannels.Select(v => JsonValue.Create(v))]),
        ["layers_per_block"] = c.LayersPerBlock,
        ["latent_channels"] = c.LatentChannels,
        ["norm_num_groups"] = c.NormNumGroups,
        ["scaling_factor"] = c.ScalingFactor,
        ["use_quant_conv"] = c.UseQuantConv,
        ["use_post_quant_conv"] = c.UsePostQuantConv,
        ["mid_block_add_attention"] = c.MidBlockAddAttention,
    };

    private static float[] ReadOutput(string path, CancellationToken cancellationToken)
    {
        using var set = CheckpointSet.Open(path, cancellationToken: cancellationToken);
        var tensor = set["output"];
        using var view = Tensor.FromStorage(tensor.Storage, tensor.DType, tensor.Shape, tensor.Strides, tensor.ElementOffset);
        using var floats = view.To(DType.Float32);
        return floats.ToFloatArray();
    }

    private static double RelativeL2(float[] ours, float[] reference)
    {
        if (ours.Length != reference.Length)
        {
            return double.NaN;
        }

        double error = 0, norm = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            error += ((double)ours[i] - reference[i]) * ((double)ours[i] - reference[i]);
            norm += (double)reference[i] * reference[i];
        }

        return Math.Sqrt(error / Math.Max(norm, 1e-30));
    }

    /// <summary>Resets VmHWM to the current resident set (Linux: write 5 to /proc/self/clear_refs), as the torch script does.</summary>
    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM in bytes (the process's peak working set).</summary>
    private static long PeakRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    private static void Report(Settings s, TextWriter log, string name, string unit, double ours, string? anchorName, double? anchor)
    {
        if (anchorName is null || anchor is null)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} ours {ours,12:G5} {unit,-10} (no anchor)"));
            return;
        }

        var result = BenchResult.LowerIsBetter(name, unit, ours, anchorName, anchor.Value);
        Console.WriteLine(s.Json ? result.ToJson() : result.ToText());
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

    private enum Component
    {
        UNet,
        Vae,
    }

    private sealed record Settings(bool Json, int Threads, bool Small, int Latent, int Repeats, string? Only, string Python, bool NoTorch, string? ReferenceDir);

    private sealed record TorchRun(double Seconds, long? PeakRss, string Version, int Threads);
}
