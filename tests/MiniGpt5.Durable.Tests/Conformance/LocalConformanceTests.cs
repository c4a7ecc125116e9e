using MiniGpt5.Durable.Tests.Infrastructure;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Local;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Conformance;

/// <summary>The conformance suite on the local file-system stores (the embedded backend), in a temp folder.</summary>
public sealed class LocalConformanceTests(ITestOutputHelper output) : DurableConformanceTests(output), IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    protected override (IBlobStore Blobs, IQueueStore Queues) CreateStores() =>
        (new LocalBlobStore(_folder.Path), new LocalQueueStore(_folder.Path));
}
