using MiniGpt5.Storage.Local;
using MiniGpt5.Storage.Tests.Contract;

namespace MiniGpt5.Storage.Tests.Contract;

/// <summary>The contract on the local file-system store, in a fresh temp folder per test, with a manual clock.</summary>
public sealed class LocalStorageContractTests : StorageContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-storage-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new();
    private readonly LocalStorageOptions _options;

    public LocalStorageContractTests()
    {
        _options = new LocalStorageOptions { TimeProvider = _clock };
        Blobs = new LocalBlobStore(_root, _options);
        Queues = new LocalQueueStore(_root, _options);
    }

    protected override IBlobStore Blobs { get; }

    protected override IQueueStore Queues { get; }

    // A separate store instance has its own in-process lock table, so only the file locks keep it in line:
    // exactly the situation of a second worker process on the same folder.
    protected override IBlobStore CreateIndependentBlobClient() => new LocalBlobStore(_root, _options);

    protected override Task WaitAsync(TimeSpan duration)
    {
        _clock.Advance(duration);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
