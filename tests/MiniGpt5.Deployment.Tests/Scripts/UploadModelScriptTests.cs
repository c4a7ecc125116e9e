using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Deployment.Tests.Scripts;

/// <summary>
/// The model manifest contract (infra/README.md "Model files") that the worker's verifier implements:
/// "hex  path" lines, '/'-separated relative paths in byte order, and the manifest's own SHA-256 as the pin.
/// </summary>
public sealed class UploadModelScriptTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("minigpt5-model-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [BashFact]
    public async Task Dry_run_prints_the_manifest_and_its_sha256_as_the_worker_will_compute_them()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["unet/diffusion_pytorch_model.safetensors"] = RandomNumberGenerator.GetBytes(4096),
            ["Tokenizer.model"] = Encoding.UTF8.GetBytes("tok"),
            ["a b/config é.json"] = Encoding.UTF8.GetBytes("{}\n"),
            ["manifest.sha256"] = Encoding.UTF8.GetBytes("a stale manifest in the source folder is not listed\n"),
        };
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(_folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, bytes);
        }

        var (exitCode, output, error) = await ScriptRunner.RunAsync("upload-model.sh", "--source", _folder, "--name", "test-model-1", "--dry-run");

        Assert.True(exitCode == 0, error);
        var expectedManifest = string.Concat(files
            .Where(f => f.Key != "manifest.sha256")
            .OrderBy(f => Encoding.UTF8.GetBytes(f.Key), ByteOrder.Instance)
            .Select(f => $"{Convert.ToHexStringLower(SHA256.HashData(f.Value))}  {f.Key}\n"));
        Assert.Contains(expectedManifest, output, StringComparison.Ordinal);
        Assert.Contains($"modelSha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expectedManifest)))}\n", output, StringComparison.Ordinal);
        Assert.Contains("modelName=test-model-1\n", output, StringComparison.Ordinal);
    }

    [BashFact]
    public async Task Unsafe_names_and_missing_folders_are_refused_with_usage_errors()
    {
        var badName = await ScriptRunner.RunAsync("upload-model.sh", "--source", _folder, "--name", "../escape", "--dry-run");
        var noFolder = await ScriptRunner.RunAsync("upload-model.sh", "--source", Path.Combine(_folder, "missing"), "--name", "m", "--dry-run");
        var noAccount = await ScriptRunner.RunAsync("upload-model.sh", "--source", _folder, "--name", "m");

        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("--name", badName.Error, StringComparison.Ordinal);
        Assert.Equal(2, noFolder.ExitCode);
        Assert.Equal(2, noAccount.ExitCode);
        Assert.Contains("--account", noAccount.Error, StringComparison.Ordinal);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
