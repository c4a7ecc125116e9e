using MiniGpt5.Durable;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Schedules;

/// <summary>Writes a dataset run's <c>manifest.jsonl</c> (replacing it on retry: its bytes depend only on the input).</summary>
public sealed class WriteDatasetManifestActivity(IBlobStore blobs) : IActivity<WriteDatasetManifestInput, string>
{
    /// <inheritdoc />
    public async Task<string> RunAsync(ActivityContext context, WriteDatasetManifestInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var folder = new BlobBookFolder(blobs, input.Run.Location);
        await folder.WriteFileAsync(DatasetManifest.FileName, DatasetManifest.Write(input.Run, input.Results), createOnly: false, context.CancellationToken).ConfigureAwait(false);
        return input.Run.Location.BlobName(DatasetManifest.FileName);
    }
}
