using MiniGpt5.Storage.Azure;

namespace MiniGpt5.Storage.Tests.Azure;

public sealed class ConnectionStringTests
{
    // A made-up key (valid base64, 64 bytes): it must never appear in any message.
    private const string SecretKey = "c2VjcmV0LWtleS1ub3QtZm9yLXByaW50aW5nLXNlY3JldC1rZXktbm90LWZvci1wcmludGluZy0wMTIzNDU2Nzg5MDE=";
    private const string SecretSignature = "sig=SECRETSIGNATURE%2Bvalue%3D";

    [Fact]
    public void Development_storage_points_at_the_emulator_ports_with_the_well_known_account()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(StorageAuthMode.SharedKey, parsed.AuthMode);

        var proxied = StorageConnectionString.Parse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite");
        Assert.Equal(new Uri("http://azurite:10001/devstoreaccount1"), proxied.QueueEndpoint);
    }

    [Fact]
    public void Account_key_form_derives_endpoints_from_the_suffix()
    {
        var parsed = StorageConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=mybooks;AccountKey={SecretKey};EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://mybooks.blob.core.windows.net"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("https://mybooks.queue.core.windows.net"), parsed.QueueEndpoint);
        Assert.Equal(StorageAuthMode.SharedKey, parsed.AuthMode);

        var sovereign = StorageConnectionString.Parse($"AccountName=mybooks;AccountKey={SecretKey};EndpointSuffix=core.chinacloudapi.cn");
        Assert.Equal(new Uri("https://mybooks.blob.core.chinacloudapi.cn"), sovereign.BlobEndpoint);

        var text = parsed.ToString();
        Assert.Contains("mybooks", text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_endpoints_win_and_keys_are_case_insensitive()
    {
        var parsed = StorageConnectionString.Parse(
            $"defaultendpointsprotocol=http;accountname=devstoreaccount1;accountkey={SecretKey};" +
            "blobendpoint=http://127.0.0.1:41000/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;");
        Assert.Equal(new Uri("http://127.0.0.1:41000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:41001/devstoreaccount1"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Sas_form_keeps_the_token_out_of_its_description()
    {
        var parsed = StorageConnectionString.Parse(
            $"BlobEndpoint=https://mybooks.blob.core.windows.net;QueueEndpoint=https://mybooks.queue.core.windows.net;SharedAccessSignature=?sv=2025-11-05&ss=bq&{SecretSignature}");
        Assert.Equal(StorageAuthMode.SharedAccessSignature, parsed.AuthMode);
        Assert.DoesNotContain("SECRET", parsed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Account_name_alone_means_entra_id()
    {
        var parsed = StorageConnectionString.Parse("AccountName=mybooks");
        Assert.Equal(StorageAuthMode.EntraId, parsed.AuthMode);
        Assert.False(parsed.ManagedIdentityOnly);
        Assert.Equal(new Uri("https://mybooks.blob.core.windows.net"), parsed.BlobEndpoint);

        var managed = StorageConnectionString.Parse("AccountName=mybooks;Credential=managedidentity;ClientId=00000000-0000-0000-0000-000000000001");
        Assert.True(managed.ManagedIdentityOnly);
        Assert.Equal("00000000-0000-0000-0000-000000000001", managed.ManagedIdentityClientId);

        // The factory builds the stores without contacting anything.
        var account = StorageAccount.FromConnectionString("AccountName=mybooks");
        Assert.False(account.IsLocal);
        Assert.Contains("Entra ID", account.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("AccountName=mybooks;AccountKey=not*base64!!", "AccountKey for account 'mybooks' is not valid base64")]
    [InlineData("AccountKey=" + SecretKey, "AccountName is missing")]
    [InlineData("AccountName=mybooks;" + SecretKey, "segment 2")]
    [InlineData("AccountName=mybooks;" + "abcdef", "segment 2")]
    [InlineData("AccountName=mybooks;AccountKye=" + SecretKey, "unknown setting 'AccountKye'")]
    [InlineData("AccountName=mybooks;AccountKey=" + SecretKey + ";SharedAccessSignature=sv=1&" + SecretSignature, "either AccountKey or SharedAccessSignature")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net;QueueEndpoint=https://a.queue.core.windows.net;SharedAccessSignature=sv=2025-11-05&ss=b", "no 'sig'")]
    [InlineData("AccountName=mybooks;DefaultEndpointsProtocol=http", "only sent over https")]
    [InlineData("AccountName=mybooks;AccountKey=" + SecretKey + ";DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=mybooks", "cannot be combined")]
    [InlineData("AccountName=mybooks;AccountName=other", "more than once")]
    [InlineData("AccountName=My_Books", "is not a storage account name")]
    [InlineData("AccountName=mybooks;AccountKey=" + SecretKey + ";BlobEndpoint=https://x.blob.core.windows.net?" + SecretSignature, "query string")]
    [InlineData("AccountName=mybooks;Credential=cli", "'managedidentity'")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net", "QueueEndpoint is missing")]
    public void Bad_connection_strings_say_what_is_wrong_without_the_secret(string connectionString, string expected)
    {
        var e = Assert.Throws<StorageConfigurationException>(() => StorageAccount.FromConnectionString(connectionString));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_setting_maps_local_and_connection_strings()
    {
        var root = Path.Combine(Path.GetTempPath(), "minigpt5-setting-" + Guid.NewGuid().ToString("N"));
        try
        {
            var local = StorageAccount.FromSetting("local", root);
            Assert.True(local.IsLocal);
            Assert.IsType<MiniGpt5.Storage.Local.LocalBlobStore>(local.Blobs);
            Assert.Contains(root, local.Description, StringComparison.Ordinal);

            var other = Path.Combine(root, "elsewhere");
            Assert.Contains(other, StorageAccount.FromSetting("local:" + other, root).Description, StringComparison.Ordinal);

            var azure = StorageAccount.FromSetting("UseDevelopmentStorage=true", root);
            Assert.IsType<AzureBlobStore>(azure.Blobs);
            Assert.IsType<AzureQueueStore>(azure.Queues);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
