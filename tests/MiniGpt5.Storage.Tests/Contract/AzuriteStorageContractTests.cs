namespace MiniGpt5.Storage.Tests.Contract;

/// <summary>
/// The contract on the Azure REST client against a real Azurite (Shared Key auth, IP-style URLs). Time passes
/// for real here, so the waits in the contract stay at 1-3 s.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzuriteStorageContractTests : StorageContractTests
{
    private readonly AzuriteFixture _azurite;

    public AzuriteStorageContractTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        var account = StorageAccount.FromConnectionString(azurite.ConnectionString);
        Blobs = account.Blobs;
        Queues = account.Queues;
    }

    protected override IBlobStore Blobs { get; }

    protected override IQueueStore Queues { get; }

    protected override IBlobStore CreateIndependentBlobClient() => StorageAccount.FromConnectionString(_azurite.ConnectionString).Blobs;

    protected override Task WaitAsync(TimeSpan duration) => Task.Delay(duration);
}
