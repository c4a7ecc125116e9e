using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// Loads the MiniGPT-5 model named by the settings (<see cref="ModelLocator"/>) once per process, on first use, and
/// keeps it for every later step: loading weights costs far more than one step. A failed load is remembered, so
/// queued steps fail fast with the same message instead of each trying again.
/// </summary>
public sealed class ModelIllustratorSource : IIllustratorSource, IDisposable
{
    private readonly MiniGpt5Settings _settings;
    private readonly IBlobStore? _blobs;
    private readonly ILogger _logger;
    // Above this, a folder without a manifest is identified by file names and sizes instead of content.
    private const long LargeFolderBytes = 2L << 30;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private LoadedIllustrator? _loaded;
    private MiniGpt5Pipeline? _pipeline;
    private Exception? _failure;

    /// <summary>
    /// A source for the model in <paramref name="settings"/>; <paramref name="blobs"/> (the data account) is where
    /// a pinned model is downloaded from when <c>MiniGpt5__ModelBlobUri</c> is set (<see cref="ModelProvisioner"/>).
    /// </summary>
    public ModelIllustratorSource(MiniGpt5Settings settings, IBlobStore? blobs = null, ILogger<ModelIllustratorSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _blobs = blobs;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<LoadedIllustrator> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded) is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded is not null)
            {
                return _loaded;
            }

            if (_failure is not null)
            {
                throw new ModelUnavailableException(_failure.Message, _failure);
            }

            try
            {
                var folder = await ModelProvisioner.PrepareAsync(_settings, _blobs, cancellationToken).ConfigureAwait(false);
                if (_settings.Device == "cuda")
                {
                    _logger.LogWarning("MiniGpt5__Device is cuda, but this build has no CUDA backend; the model runs on the CPU.");
                }

                _logger.LogInformation("Loading model {Model} from {Folder}", _settings.Model, folder);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                _pipeline = await Task.Run(() => MiniGpt5Pipeline.Load(folder, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                var hash = await HashFolderAsync(folder, cancellationToken).ConfigureAwait(false);
                var name = string.Equals(_settings.Model, ModelLocator.NanoName, StringComparison.OrdinalIgnoreCase)
                    ? ModelLocator.NanoName
                    : new DirectoryInfo(folder).Name;
                _loaded = new LoadedIllustrator(_pipeline, name, hash);
                _logger.LogInformation("Model {Model} loaded in {Seconds:F1} s", name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                return _loaded;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                _failure = e is ModelUnavailableException ? e : new ModelUnavailableException($"The model '{_settings.Model}' could not be loaded: {e.Message}", e);
                throw _failure;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// SHA-256 identifying a model folder: of its <c>manifest.sha256</c> when it has one (the deployment's pin),
    /// else of every file's relative path and bytes in ordinal order (names and sizes, prefixed
    /// <c>names-sizes:</c>, for folders over 2 GiB).
    /// </summary>
    public static async Task<string> HashFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var manifest = Path.Combine(folder, "manifest.sha256");
        if (File.Exists(manifest))
        {
            return Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(manifest, cancellationToken).ConfigureAwait(false)));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Sum(f => new FileInfo(Path.Combine(folder, f)).Length) > LargeFolderBytes)
        {
            // Reading many gigabytes at every start costs more than it tells: names and sizes identify the weights.
            foreach (var relative in files)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{relative}\n{new FileInfo(Path.Combine(folder, relative)).Length}\n")));
            }

            return "names-sizes:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        foreach (var relative in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(relative + "\n"));
            await using var stream = File.OpenRead(Path.Combine(folder, relative));
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _pipeline?.Dispose();
        _gate.Dispose();
    }
}
