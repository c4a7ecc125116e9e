using System.Text;
using MiniGpt5.Storage.Azure;
using MiniGpt5.Storage.Emulator;

namespace MiniGpt5.Storage.Tests.Azure;

/// <summary>Authorization against a real Azurite: wrong keys, SAS tokens, and signatures over awkward headers.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzuriteAuthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_wrong_account_key_says_to_check_the_key_and_does_not_print_it()
    {
        var wrongKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("this is the wrong key for the devstoreaccount1 account, 64 bytes!"));
        var connection = azurite.ConnectionString.Replace(AzuriteProcess.AccountKey, wrongKey, StringComparison.Ordinal);
        var account = StorageAccount.FromConnectionString(connection);

        var blob = await Assert.ThrowsAsync<StorageConfigurationException>(() => account.Blobs.CreateContainerAsync("wrongkey"));
        Assert.Equal(403, blob.Status);
        Assert.Contains("check AccountKey for account 'devstoreaccount1'", blob.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, blob.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, blob.ToString(), StringComparison.Ordinal);

        var queue = await Assert.ThrowsAsync<StorageConfigurationException>(() => account.Queues.CreateQueueAsync("wrongkey"));
        Assert.Contains("check AccountKey", queue.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, queue.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_sas_works_for_blobs_and_queues()
    {
        var token = AccountSas.Create(azurite.ConnectionString, DateTimeOffset.UtcNow.AddHours(1));
        var account = StorageAccount.FromConnectionString(AccountSas.ToConnectionString(azurite.ConnectionString, token));
        Assert.Contains("SAS", account.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", account.Description, StringComparison.Ordinal);

        var container = "sas" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(await account.Blobs.CreateContainerAsync(container));
        await account.Blobs.PutAsync(container, "dir/ünï cödé.txt", new MemoryStream("via sas"u8.ToArray()));
        await using (var download = await account.Blobs.GetAsync(container, "dir/ünï cödé.txt"))
        {
            using var reader = new StreamReader(download.Content);
            Assert.Equal("via sas", await reader.ReadToEndAsync());
        }

        var page = await account.Blobs.ListPageAsync(container, new BlobListOptions(Prefix: "dir/"));
        Assert.Equal("dir/ünï cödé.txt", Assert.Single(page.Blobs).Name);

        var queue = "sas" + Guid.NewGuid().ToString("N")[..12];
        await account.Queues.CreateQueueAsync(queue);
        await account.Queues.SendAsync(queue, "hello");
        var message = Assert.Single(await account.Queues.ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
        await account.Queues.DeleteAsync(queue, message.MessageId, message.PopReceipt);
        await account.Queues.DeleteQueueAsync(queue);
        await account.Blobs.DeleteContainerAsync(container);
    }

    [Fact]
    public async Task A_read_only_sas_refuses_writes_with_a_sas_hint()
    {
        var keyAccount = StorageAccount.FromConnectionString(azurite.ConnectionString);
        var container = "ro" + Guid.NewGuid().ToString("N")[..12];
        await keyAccount.Blobs.CreateContainerAsync(container);
        await keyAccount.Blobs.PutAsync(container, "readme", new MemoryStream("x"u8.ToArray()));

        var token = AccountSas.Create(azurite.ConnectionString, DateTimeOffset.UtcNow.AddHours(1), AccountSasPermissions.Read | AccountSasPermissions.List);
        var readOnly = StorageAccount.FromConnectionString(AccountSas.ToConnectionString(azurite.ConnectionString, token));
        await using (await readOnly.Blobs.GetAsync(container, "readme"))
        {
        }

        var e = await Assert.ThrowsAsync<StorageConfigurationException>(() => readOnly.Blobs.PutAsync(container, "nope", new MemoryStream([1])));
        Assert.Contains("SAS token", e.Message, StringComparison.Ordinal);
        Assert.Contains("account 'devstoreaccount1'", e.Message, StringComparison.Ordinal); // From the IP-style URL: the SAS string names no account.
        var signature = Uri.UnescapeDataString(token[(token.IndexOf("sig=", StringComparison.Ordinal) + 4)..]);
        Assert.DoesNotContain(signature, e.ToString(), StringComparison.Ordinal);
        await keyAccount.Blobs.DeleteContainerAsync(container);
    }

    [Fact]
    public async Task An_expired_sas_is_refused()
    {
        var token = AccountSas.Create(azurite.ConnectionString, DateTimeOffset.UtcNow.AddMinutes(-5), startsOn: DateTimeOffset.UtcNow.AddHours(-1));
        var account = StorageAccount.FromConnectionString(AccountSas.ToConnectionString(azurite.ConnectionString, token));
        await Assert.ThrowsAsync<StorageConfigurationException>(() => account.Queues.CreateQueueAsync("expired"));
    }

    [Fact]
    public async Task Metadata_names_sort_the_way_the_service_signs_them()
    {
        // Ordinal order puts "a1" before "a_1"; the service's culture-aware order puts '_' first. A signer that
        // sorted ordinally would be refused here.
        var blobs = StorageAccount.FromConnectionString(azurite.ConnectionString).Blobs;
        var container = "md" + Guid.NewGuid().ToString("N")[..12];
        await blobs.CreateContainerAsync(container);
        var metadata = new Dictionary<string, string> { ["a1"] = "one", ["a_1"] = "two", ["A_b"] = "three", ["ab"] = "four", ["Z9"] = "five" };
        await blobs.PutAsync(container, "m", new MemoryStream([1]), new BlobPutOptions { Metadata = metadata });
        var properties = await blobs.GetPropertiesAsync(container, "m");
        foreach (var (name, value) in metadata)
        {
            Assert.Equal(value, properties.Metadata[name]);
        }

        await blobs.DeleteContainerAsync(container);
    }
}
