using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Cli.Commands.Convert;

/// <summary>
/// `minigpt5 convert IN OUT`: turns PyTorch checkpoints (.pt/.pth/.bin/.ckpt, sharded folders) into one
/// safetensors file the engine memory-maps. The pickle is read by the restricted unpickler (a hostile file
/// is refused, never run), tensors are streamed one chunk at a time, and the output appears under its
/// name only once it is complete.
/// </summary>
internal static class ConvertCommand
{
    // Below this, a conversion takes well under a second and a progress line would only flicker.
    private const long ProgressThresholdBytes = 64L << 20;

    public static Command Create()
    {
        var input = new Argument<string>("input")
        {
            Description = "Checkpoint file (.pt, .pth, .bin, .ckpt, .safetensors), shard index (*.index.json), or folder (HF sharded, diffusers component).",
        };
        var output = new Argument<string>("output") { Description = "The .safetensors file to write." };
        var key = new Option<string?>("--key")
        {
            Description = "Dictionary of the pickle holding the weights, e.g. state_dict or model ('a/b' for nested, '' for the top level). Default: state_dict, model, module or model_state_dict when present.",
        };
        var dtype = new Option<string>("--dtype")
        {
            Description = "Floating-point dtype to write (integer and bool tensors are kept).",
            DefaultValueFactory = _ => "keep",
        };
        dtype.AcceptOnlyFromAmong("keep", "f32", "f16", "bf16");
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var variant = new Option<string?>("--variant") { Description = "Weights variant to pick in a folder, e.g. fp16 for diffusion_pytorch_model.fp16.safetensors." };
        var allow = new Option<string[]>("--allow-class")
        {
            Description = "A plain-data class (module.Class) the pickle may contain besides the built-in allow-list; repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };

        var command = new Command("convert", "Convert PyTorch checkpoints (pickles, sharded folders) to one safetensors file.")
        {
            input, output, key, dtype, force, variant, allow, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            parse.GetValue(key),
            parse.GetValue(dtype)!,
            parse.GetValue(force),
            parse.GetValue(variant),
            parse.GetValue(allow) ?? [],
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string input, string output, string? key, string dtype, bool force, string? variant, string[] allowClasses, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        DType? target = dtype switch
        {
            "f32" => DType.Float32,
            "f16" => DType.Float16,
            "bf16" => DType.BFloat16,
            _ => null,
        };

        var outputPath = Path.GetFullPath(output);
        if (!force && File.Exists(outputPath))
        {
            await stderr.WriteLineAsync($"error: '{outputPath}' already exists; pass --force to replace it.");
            return 2;
        }

        try
        {
            var options = new CheckpointOpenOptions
            {
                StateDictKey = key,
                Variant = variant,
                InertClasses = allowClasses,
                // Every byte is read anyway, so checking the zip CRCs costs little and catches bit rot.
                VerifyChecksums = true,
            };
            using var source = CheckpointSet.Open(input, options, cancellationToken);
            var total = source.Values.Sum(t => t.ElementCount * (target is { } f && t.DType.IsFloatingPoint() ? f.SizeOf() : t.DType.SizeOf()));
            var progress = total >= ProgressThresholdBytes ? NewProgress(stderr, total) : null;
            var result = await SafetensorsConverter.ConvertAsync(source, outputPath, target, force, progress, cancellationToken);
            progress?.Finish();

            if (json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    output = result.OutputPath,
                    tensors = result.TensorCount,
                    bytes = result.DataBytes,
                    converted = result.ConvertedTensors,
                    materialized_views = result.MaterializedViews,
                    shared_storage_tensors = result.SharedStorageTensors,
                    files = source.Files.Select(f => f.FilePath),
                }));
            }
            else
            {
                var converted = result.ConvertedTensors > 0 ? $", {result.ConvertedTensors} converted to {target!.Value.TorchName()}" : string.Empty;
                var shared = result.SharedStorageTensors > 0
                    ? $"; {result.SharedStorageTensors} tensors shared storages and were written as separate copies"
                    : string.Empty;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {result.OutputPath}: {result.TensorCount} tensors, {FormatBytes(result.DataBytes)} from {source.Files.Count} file(s){converted}{shared}"));
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled; no output was written.");
            return 1;
        }
        catch (CheckpointException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static ProgressLine<long> NewProgress(TextWriter stderr, long total) => new(stderr, (value, elapsed) =>
    {
        var fraction = total == 0 ? 1 : value / (double)total;
        return (fraction, string.Create(CultureInfo.InvariantCulture,
            $"converting: {FormatBytes(value)} of {FormatBytes(total)} ({fraction:P0}), {value / Math.Max(elapsed.TotalSeconds, 1e-3) / (1 << 20):F0} MiB/s"));
    });
}
