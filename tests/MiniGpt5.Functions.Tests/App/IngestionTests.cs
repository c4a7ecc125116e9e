using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>Blob ingestion starts one orchestration per upload, however often it is told about it.</summary>
public sealed class IngestionTests
{
    private static readonly byte[] Story = "# The Square\n\nA blue square sits on a white background.\n\nThe blue square turns red."u8.ToArray();

    private static async Task<string> UploadAsync(IBlobStore blobs, string name, byte[] content)
    {
        await blobs.CreateContainerAsync("manuscripts");
        using var stream = new MemoryStream(content);
        return (await blobs.PutAsync("manuscripts", name, stream)).ETag;
    }

    [Fact]
    public async Task Each_upload_starts_exactly_one_orchestration_however_often_it_is_seen()
    {
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake);
        var etag = await UploadAsync(app.Blobs, "books/square.md", Story);
        var ingestion = app.Host.Ingestion;

        var first = await ingestion.ScanOnceAsync();
        var again = await ingestion.ScanOnceAsync();
        var redelivered = await ingestion.IngestBlobAsync("books/square.md", "\"" + etag.Trim('"') + "\"");
        // A second process (its own in-memory state) told about the same upload.
        var other = new ManuscriptIngestion(app.Blobs, app.Client, app.Host.Submitter, app.Host.Settings);
        var fromOther = await other.IngestBlobAsync("books/square.md", etag);

        var started = Assert.Single(first);
        Assert.Empty(again);
        Assert.Null(redelivered);
        Assert.Null(fromOther);
        Assert.Equal(ManuscriptId.ForBlob("books/square.md", etag), started.InstanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await app.WaitAsync(started.InstanceId)).RuntimeStatus);
        Assert.Equal(2, fake.Calls.Count);

        // The submitted copy under _submitted/ is never ingested itself; a new upload of the same name is a new run.
        Assert.Empty(await ingestion.ScanOnceAsync());
        var newEtag = await UploadAsync(app.Blobs, "books/square.md", Story);
        var second = Assert.Single(await ingestion.ScanOnceAsync());
        Assert.NotEqual(started.InstanceId, second.InstanceId);
        Assert.Equal(ManuscriptId.ForBlob("books/square.md", newEtag), second.InstanceId);
        await app.WaitAsync(second.InstanceId);

        var page = await app.Client.QueryInstancesAsync(new InstanceQuery { Name = Orchestrations.IllustrationNames.IllustrateManuscript });
        Assert.Equal(2, page.Instances.Count);
    }

    [Fact]
    public async Task A_malformed_upload_starts_once_and_fails_with_its_message_and_is_not_retried_by_later_scans()
    {
        await using var app = await AppTestHost.StartAsync(new FakeIllustrator());
        await UploadAsync(app.Blobs, "broken.json", "{\"title\": \"x\", \"steps\": [\"a\",]}"u8.ToArray());

        var started = Assert.Single(await app.Host.Ingestion.ScanOnceAsync());
        var done = await app.WaitAsync(started.InstanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("broken.json", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);

        var fresh = new ManuscriptIngestion(app.Blobs, app.Client, app.Host.Submitter, app.Host.Settings);
        Assert.Empty(await fresh.ScanOnceAsync());
        Assert.Equal(done.CreatedAt, (await app.Client.GetInstanceAsync(started.InstanceId))!.CreatedAt);
    }
}
