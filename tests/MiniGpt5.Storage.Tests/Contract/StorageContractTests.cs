using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Storage.Tests.Contract;

/// <summary>
/// The contract every <see cref="IBlobStore"/> / <see cref="IQueueStore"/> pair must meet, run once per
/// implementation by a concrete subclass (local file system, Azurite). Each test uses fresh container and queue
/// names, so tests never see each other's state. Time-dependent tests call <see cref="WaitAsync"/>, which
/// advances a manual clock for the local store and really waits for Azurite (so those waits stay 1-3 s).
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    private readonly List<string> _containers = [];
    private readonly List<string> _queues = [];

    /// <summary>The blob store under test.</summary>
    protected abstract IBlobStore Blobs { get; }

    /// <summary>The queue store under test.</summary>
    protected abstract IQueueStore Queues { get; }

    /// <summary>A second, independent client over the same storage (another process, for the local store).</summary>
    protected abstract IBlobStore CreateIndependentBlobClient();

    /// <summary>Lets <paramref name="duration"/> of store time pass.</summary>
    protected abstract Task WaitAsync(TimeSpan duration);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await Blobs.DeleteContainerAsync(container);
        }

        foreach (var queue in _queues)
        {
            await Queues.DeleteQueueAsync(queue);
        }
    }

    /// <summary>A new, created container.</summary>
    protected async Task<string> NewContainerAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..24];
        Assert.True(await Blobs.CreateContainerAsync(name));
        _containers.Add(name);
        return name;
    }

    /// <summary>A new, created queue.</summary>
    protected async Task<string> NewQueueAsync()
    {
        var name = "q" + Guid.NewGuid().ToString("N")[..24];
        Assert.True(await Queues.CreateQueueAsync(name));
        _queues.Add(name);
        return name;
    }

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]> ReadAllAsync(BlobDownload download)
    {
        await using (download)
        {
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    protected async Task<string> ReadTextAsync(string container, string name) =>
        Encoding.UTF8.GetString(await ReadAllAsync(await Blobs.GetAsync(container, name)));

    protected Task<BlobWriteResult> PutTextAsync(string container, string name, string text, BlobConditions? conditions = null) =>
        Blobs.PutAsync(container, name, new MemoryStream(Encoding.UTF8.GetBytes(text)), new BlobPutOptions { Conditions = conditions });

    protected static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
