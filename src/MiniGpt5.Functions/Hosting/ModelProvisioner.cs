using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// Gets the model folder ready before a worker takes work, following the deployment's contract (infra/README.md,
/// "Model files"): a folder's <c>manifest.sha256</c> lists <c>&lt;sha256&gt;  &lt;path&gt;</c> per file, and
/// <c>MiniGpt5__ModelSha256</c> pins the SHA-256 of the manifest's bytes.
/// <list type="bullet">
/// <item>Blob mode (<c>MiniGpt5__ModelBlobUri</c>): the manifest is downloaded and checked against the pin, then
/// each file to <c>{cache}/{pin}/{path}.partial</c>, hashed while streaming and renamed on a match; <c>.complete</c>
/// is written last, and a replica that finds it downloads nothing.</item>
/// <item>Folder mode with a pin (a mounted share): the manifest is checked against the pin and every listed file
/// must exist (their bytes are read as needed, so they are not hashed at start).</item>
/// <item>Otherwise the folder <see cref="ModelLocator"/> resolves, unchecked.</item>
/// </list>
/// Any mismatch throws <see cref="ModelUnavailableException"/> naming the expected and found hashes.
/// </summary>
public static class ModelProvisioner
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestFile = "manifest.sha256";

    /// <summary>The marker written once a download is complete.</summary>
    public const string CompleteMarker = ".complete";

    /// <summary>
    /// The folder to load the model from. <paramref name="blobs"/> is the data account's blob store, where blob mode
    /// downloads from (the deployment keeps models in its <c>models</c> container).
    /// </summary>
    public static async Task<string> PrepareAsync(MiniGpt5Settings settings, IBlobStore? blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ModelBlobUri is { } uri)
        {
            var pin = settings.ModelSha256
                ?? throw new ModelUnavailableException("MiniGpt5__ModelBlobUri is set but MiniGpt5__ModelSha256 is not: a downloaded model must be pinned (upload-model.sh prints the pin).");
            if (blobs is null)
            {
                throw new ModelUnavailableException("MiniGpt5__ModelBlobUri is set but no blob storage is configured to download from.");
            }

            var (container, prefix) = ParseBlobUri(uri);
            var cache = settings.ModelCacheDir ?? Path.Combine(Path.GetTempPath(), "minigpt5-models");
            return await DownloadAsync(blobs, container, prefix, pin, cache, cancellationToken).ConfigureAwait(false);
        }

        var folder = ModelLocator.Resolve(settings.Model);
        if (settings.ModelSha256 is { } folderPin)
        {
            var manifest = Path.Combine(folder, ManifestFile);
            if (!File.Exists(manifest))
            {
                throw new ModelUnavailableException($"MiniGpt5__ModelSha256 pins the model, but '{folder}' has no {ManifestFile}.");
            }

            var bytes = await File.ReadAllBytesAsync(manifest, cancellationToken).ConfigureAwait(false);
            CheckPin(bytes, folderPin, manifest);
            foreach (var (_, path) in ParseManifest(bytes, manifest))
            {
                if (!File.Exists(Path.Combine(folder, path)))
                {
                    throw new ModelUnavailableException($"'{folder}' is missing '{path}', which {ManifestFile} lists.");
                }
            }
        }

        return folder;
    }

    /// <summary>
    /// The container and folder prefix of a model URI: <c>https://acct.blob.core.windows.net/models/name</c> or
    /// path-style <c>http://127.0.0.1:10000/devstoreaccount1/models/name</c> → (<c>models</c>, <c>name/</c>).
    /// </summary>
    public static (string Container, string Prefix) ParseBlobUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(WebUtility.UrlDecode).ToList();
        var pathStyle = IPAddress.TryParse(uri.Host, out _) || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
        if (pathStyle && segments.Count > 0)
        {
            segments.RemoveAt(0); // the account name
        }

        if (segments.Count < 2)
        {
            throw new ModelUnavailableException($"MiniGpt5__ModelBlobUri '{uri.GetLeftPart(UriPartial.Path)}' must name a container and a folder (…/models/<name>).");
        }

        return (segments[0]!, string.Join('/', segments.Skip(1)) + "/");
    }

    /// <summary>The <c>(sha256, path)</c> lines of a manifest; throws <see cref="ModelUnavailableException"/> naming a bad line.</summary>
    public static IReadOnlyList<(string Sha256, string Path)> ParseManifest(ReadOnlySpan<byte> manifest, string source)
    {
        var lines = new List<(string, string)>();
        var number = 0;
        foreach (var line in Encoding.UTF8.GetString(manifest).Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var hash = line.Length > 66 ? line[..64] : string.Empty;
            var path = line.Length > 66 ? line[66..] : string.Empty;
            var pathOk = path.Length > 0 && !path.StartsWith('/') && !path.Contains('\\', StringComparison.Ordinal)
                && path.Split('/').All(p => p is not ("" or "." or ".."));
            if (line.Length <= 66 || line[64..66] != "  " || !hash.All(char.IsAsciiHexDigitLower) || !pathOk)
            {
                throw new ModelUnavailableException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}, line {number}: expected '<64 lowercase hex>  <relative path>'."));
            }

            lines.Add((hash, path));
        }

        return lines.Count > 0 ? lines : throw new ModelUnavailableException($"{source} lists no files.");
    }

    private static async Task<string> DownloadAsync(IBlobStore blobs, string container, string prefix, string pin, string cache, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(cache, pin);
        if (File.Exists(Path.Combine(folder, CompleteMarker)))
        {
            return folder;
        }

        Directory.CreateDirectory(folder);
        var manifestBytes = await ReadBlobAsync(blobs, container, prefix + ManifestFile, cancellationToken).ConfigureAwait(false);
        var source = $"{container}/{prefix}{ManifestFile}";
        CheckPin(manifestBytes, pin, source);
        foreach (var (sha256, path) in ParseManifest(manifestBytes, source))
        {
            var target = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var partial = target + ".partial";
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                await using (var download = await blobs.GetAsync(container, prefix + path, cancellationToken: cancellationToken).ConfigureAwait(false))
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
                {
                    var buffer = new byte[1 << 20];
                    int read;
                    while ((read = await download.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (BlobNotFoundException e)
            {
                throw new ModelUnavailableException($"{container}/{prefix}{path} is listed in {ManifestFile} but does not exist.", e);
            }

            var found = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (found != sha256)
            {
                File.Delete(partial);
                throw new ModelUnavailableException($"{container}/{prefix}{path}: expected SHA-256 {sha256} (from {ManifestFile}) but found {found}.");
            }

            File.Move(partial, target, overwrite: true);
        }

        await File.WriteAllBytesAsync(Path.Combine(folder, ManifestFile), manifestBytes, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, CompleteMarker), pin + "\n", cancellationToken).ConfigureAwait(false);
        return folder;
    }

    private static void CheckPin(byte[] manifest, string pin, string source)
    {
        var found = Convert.ToHexStringLower(SHA256.HashData(manifest));
        if (!string.Equals(found, pin, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelUnavailableException($"{source} does not match the pin: MiniGpt5__ModelSha256 expects {pin.ToLowerInvariant()} but the manifest hashes to {found}.");
        }
    }

    private static async Task<byte[]> ReadBlobAsync(IBlobStore blobs, string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            await using var download = await blobs.GetAsync(container, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (BlobNotFoundException e)
        {
            throw new ModelUnavailableException($"The model manifest {container}/{name} does not exist.", e);
        }
    }
}
