using System.Globalization;
using System.Text.Json;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.Replay;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.Tests.Replay;
using MiniGpt5.Testing;

namespace MiniGpt5.Durable.Tests.Units;

/// <summary>
/// NewGuid and partition placement against goldens written by tools/reference/durable_ids.py (Python's uuid.uuid5
/// and a plain FNV-1a). Exact match: these are identifiers, no tolerance.
/// </summary>
public sealed class IdentifierGoldenTests
{
    private static JsonElement Golden()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.GoldenFile("durable", "ids.json")));
        return document.RootElement.Clone();
    }

    [Fact]
    public void Name_based_guids_match_python_uuid5()
    {
        var golden = Golden();
        var ns = Guid.Parse(golden.GetProperty("namespace").GetString()!);
        Assert.Equal(DeterministicGuid.DurableNamespace, ns);
        foreach (var item in golden.GetProperty("guids").EnumerateArray())
        {
            var name = item.GetProperty("name").GetString()!;
            Assert.Equal(Guid.Parse(item.GetProperty("uuid").GetString()!), DeterministicGuid.Create(ns, name));
        }
    }

    [Fact]
    public void Fnv1a_and_partitions_match_the_reference()
    {
        foreach (var item in Golden().GetProperty("fnv1a32").EnumerateArray())
        {
            var text = item.GetProperty("text").GetString()!;
            Assert.Equal(item.GetProperty("hash").GetUInt32(), Fnv1a.Hash(text));
            Assert.Equal(item.GetProperty("partition4").GetInt32(), Fnv1a.Partition(text, 4));
            Assert.Equal(item.GetProperty("partition16").GetInt32(), Fnv1a.Partition(text, 16));
        }
    }

    [Fact]
    public void Context_new_guid_uses_instance_time_and_counter()
    {
        var registry = new DurableTaskRegistry();
        var guids = new List<Guid>();
        registry.AddOrchestrator<string, string>("G", (ctx, _) =>
        {
            guids.Add(ctx.NewGuid());
            guids.Add(ctx.NewGuid());
            return Task.FromResult("done");
        });
        var executor = ExecutorHarness.Create(registry, "order-17");
        var at = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);
        ExecutorHarness.Run(executor, [ExecutorHarness.Started(at), ExecutorHarness.Start("G", at)], replaying: false);

        var stamp = at.ToString("o", CultureInfo.InvariantCulture);
        Assert.Equal("2026-11-22T10:00:00.0000000Z", stamp);
        Assert.Equal(DeterministicGuid.Create(DeterministicGuid.DurableNamespace, $"order-17_{stamp}_0"), guids[0]);
        Assert.Equal(DeterministicGuid.Create(DeterministicGuid.DurableNamespace, $"order-17_{stamp}_1"), guids[1]);
        var golden = Golden().GetProperty("guids").EnumerateArray().First(g => g.GetProperty("name").GetString() == $"order-17_{stamp}_1");
        Assert.Equal(Guid.Parse(golden.GetProperty("uuid").GetString()!), guids[1]);
    }
}
