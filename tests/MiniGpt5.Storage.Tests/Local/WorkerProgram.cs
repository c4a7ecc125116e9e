using System.Globalization;
using System.Text;
using MiniGpt5.Storage.Local;

namespace MiniGpt5.Storage.Tests.Local;

/// <summary>
/// Entry point of this test assembly when it runs as a worker process (<c>dotnet exec MiniGpt5.Storage.Tests.dll
/// local-store-worker ...</c>), so the cross-process tests exercise real processes sharing one local store folder.
/// </summary>
public static class WorkerProgram
{
    public const string Verb = "local-store-worker";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 5 || args[0] != Verb)
        {
            await Console.Error.WriteLineAsync($"This is a test assembly: run it with 'dotnet test'. As a worker: {Verb} <root> <container> <queue> <increments>");
            return 2;
        }

        var (root, container, queue) = (args[1], args[2], args[3]);
        var increments = int.Parse(args[4], CultureInfo.InvariantCulture);
        var blobs = new LocalBlobStore(root);
        var queues = new LocalQueueStore(root);
        var worker = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        // 1. Optimistic read-modify-write on one shared counter.
        for (var done = 0; done < increments;)
        {
            await using var download = await blobs.GetAsync(container, "counter");
            using var reader = new StreamReader(download.Content);
            var value = int.Parse(await reader.ReadToEndAsync(), CultureInfo.InvariantCulture);
            try
            {
                await blobs.PutAsync(
                    container,
                    "counter",
                    new MemoryStream(Encoding.UTF8.GetBytes((value + 1).ToString(CultureInfo.InvariantCulture))),
                    new BlobPutOptions { Conditions = BlobConditions.IfETagMatches(download.Properties.ETag) });
                done++;
            }
            catch (BlobConditionFailedException)
            {
            }
        }

        // 2. Drain the shared queue; record each delivery with a create-only write, so a message handed to two
        //    processes at once would show up as BlobAlreadyExists.
        while (true)
        {
            var batch = await queues.ReceiveAsync(queue, 8, TimeSpan.FromMinutes(5));
            if (batch.Count == 0)
            {
                return 0;
            }

            foreach (var message in batch)
            {
                try
                {
                    await blobs.PutAsync(
                        container,
                        "received/" + message.Text,
                        new MemoryStream(Encoding.UTF8.GetBytes(worker)),
                        new BlobPutOptions { Conditions = BlobConditions.CreateOnly });
                }
                catch (BlobAlreadyExistsException)
                {
                    await Console.Error.WriteLineAsync($"duplicate delivery of {message.Text}");
                    return 3;
                }

                await queues.DeleteAsync(queue, message.MessageId, message.PopReceipt);
            }
        }
    }
}
