using MiniGpt5.Storage;
using MiniGpt5.Testing;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Conformance;

/// <summary>The conformance suite on Azurite through the Azure REST client (the Azure Storage backend).</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzuriteConformanceTests(AzuriteFixture azurite, ITestOutputHelper output) : DurableConformanceTests(output)
{
    protected override (IBlobStore Blobs, IQueueStore Queues) CreateStores()
    {
        var account = StorageAccount.FromConnectionString(azurite.ConnectionString);
        return (account.Blobs, account.Queues);
    }
}
