using System.Security.Cryptography;
using System.Text;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>The deployment's model contract: pinned manifest, per-file hashes, .complete marker.</summary>
public sealed class ModelProvisionerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-models-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly StorageAccount _account;

    public ModelProvisionerTests() => _account = StorageAccount.Local(Path.Combine(_root, "store"));

    private static readonly Dictionary<string, byte[]> Files = new()
    {
        ["minigpt5.json"] = "{\"format\": \"minigpt5\"}"u8.ToArray(),
        ["vicuna/weights.bin"] = [1, 2, 3, 4, 5],
    };

    private static byte[] Manifest(IReadOnlyDictionary<string, byte[]> files) => Encoding.UTF8.GetBytes(string.Concat(
        files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{Convert.ToHexStringLower(SHA256.HashData(f.Value))}  {f.Key}\n")));

    private async Task<string> UploadAsync(IReadOnlyDictionary<string, byte[]> files, byte[] manifest)
    {
        await _account.Blobs.CreateContainerAsync("models");
        foreach (var (name, bytes) in files.Append(KeyValuePair.Create("manifest.sha256", manifest)))
        {
            using var stream = new MemoryStream(bytes);
            await _account.Blobs.PutAsync("models", "tiny/" + name, stream);
        }

        return Convert.ToHexStringLower(SHA256.HashData(manifest));
    }

    private MiniGpt5Settings Settings(string pin) => new()
    {
        ModelBlobUri = new Uri("http://127.0.0.1:10000/devstoreaccount1/models/tiny"),
        ModelSha256 = pin,
        ModelCacheDir = Path.Combine(_root, "cache"),
    };

    [Fact]
    public async Task A_pinned_model_is_downloaded_checked_and_reused()
    {
        var manifest = Manifest(Files);
        var pin = await UploadAsync(Files, manifest);

        var folder = await ModelProvisioner.PrepareAsync(Settings(pin), _account.Blobs, CancellationToken.None);

        Assert.Equal(Path.Combine(_root, "cache", pin), folder);
        Assert.Equal(Files["vicuna/weights.bin"], File.ReadAllBytes(Path.Combine(folder, "vicuna", "weights.bin")));
        Assert.True(File.Exists(Path.Combine(folder, ModelProvisioner.CompleteMarker)));
        Assert.Empty(Directory.EnumerateFiles(folder, "*.partial", SearchOption.AllDirectories));
        Assert.Equal(pin, await ModelIllustratorSource.HashFolderAsync(folder, CancellationToken.None));

        // A second replica finds .complete and downloads nothing (the blobs could even be gone).
        await _account.Blobs.DeleteAsync("models", "tiny/vicuna/weights.bin");
        Assert.Equal(folder, await ModelProvisioner.PrepareAsync(Settings(pin), _account.Blobs, CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_pin_or_a_corrupted_file_refuses_to_start_naming_both_hashes()
    {
        var manifest = Manifest(Files);
        var pin = await UploadAsync(Files, manifest);
        var wrong = new string('0', 64);

        var e = await Assert.ThrowsAsync<ModelUnavailableException>(() => ModelProvisioner.PrepareAsync(Settings(wrong), _account.Blobs, CancellationToken.None));
        Assert.Contains(wrong, e.Message, StringComparison.Ordinal);
        Assert.Contains(pin, e.Message, StringComparison.Ordinal);

        using (var stream = new MemoryStream([9, 9, 9]))
        {
            await _account.Blobs.PutAsync("models", "tiny/vicuna/weights.bin", stream);
        }

        var corrupt = await Assert.ThrowsAsync<ModelUnavailableException>(() => ModelProvisioner.PrepareAsync(Settings(pin), _account.Blobs, CancellationToken.None));
        Assert.Contains("tiny/vicuna/weights.bin: expected SHA-256", corrupt.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "cache", pin, ModelProvisioner.CompleteMarker)));
    }

    [Fact]
    public async Task A_pinned_folder_is_checked_against_its_manifest()
    {
        var folder = Path.Combine(_root, "share", "tiny");
        Directory.CreateDirectory(Path.Combine(folder, "vicuna"));
        foreach (var (name, bytes) in Files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        var manifest = Manifest(Files);
        File.WriteAllBytes(Path.Combine(folder, "manifest.sha256"), manifest);
        var pin = Convert.ToHexStringLower(SHA256.HashData(manifest));
        var settings = new MiniGpt5Settings { Model = folder, ModelSha256 = pin };

        Assert.Equal(folder, await ModelProvisioner.PrepareAsync(settings, null, CancellationToken.None));
        File.Delete(Path.Combine(folder, "vicuna", "weights.bin"));
        var e = await Assert.ThrowsAsync<ModelUnavailableException>(() => ModelProvisioner.PrepareAsync(settings, null, CancellationToken.None));
        Assert.Contains("vicuna/weights.bin", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/models/minigpt5-v1", "models", "minigpt5-v1/")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/models/nano", "models", "nano/")]
    public void Model_uris_name_a_container_and_a_folder(string uri, string container, string prefix) =>
        Assert.Equal((container, prefix), ModelProvisioner.ParseBlobUri(new Uri(uri)));

    [Theory]
    [InlineData("abc  x\n")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000 x\n")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000  ../x\n")]
    public void A_malformed_manifest_line_is_named(string text)
    {
        var e = Assert.Throws<ModelUnavailableException>(() => ModelProvisioner.ParseManifest(Encoding.UTF8.GetBytes(text), "m"));
        Assert.Contains("m, line 1", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
