using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda.Tests.Memory;

public sealed class UploadPlanTests
{
    [Fact]
    public void Items_are_laid_out_back_to_back_at_aligned_offsets()
    {
        var plan = UploadPlan.Build([10, 256, 257, 0, 1], chunkBytes: 1 << 20);

        Assert.Equal([0L, 256, 512, 1024, 1024], plan.Offsets);
        Assert.Equal(1280, plan.ArenaBytes);
        Assert.Single(plan.Chunks);
    }

    [Fact]
    public void Many_small_items_share_one_chunk_and_a_big_one_spans_several()
    {
        long[] lengths = [1000, 1000, 1000, 5000, 100];
        var plan = UploadPlan.Build(lengths, chunkBytes: 2048);

        // Arena: 1024 + 1024 + 1024 + 5120 + 256 = 8448 bytes -> 5 chunks of 2048 (the last one 256).
        Assert.Equal(8448, plan.ArenaBytes);
        Assert.Equal(5, plan.Chunks.Count);
        Assert.Equal(2, plan.Chunks[0].Segments.Count);
        Assert.Equal(256, plan.Chunks[^1].Length);
        var item3Segments = plan.Chunks.SelectMany(c => c.Segments).Where(s => s.Item == 3).ToList();
        Assert.Equal(3, item3Segments.Count); // [3072, 8072) over chunks at 2048, 4096, 6144
    }

    [Fact]
    public void Every_source_byte_is_covered_exactly_once_at_its_arena_offset()
    {
        var random = new Random(7);
        var lengths = Enumerable.Range(0, 60).Select(_ => (long)random.Next(0, 20_000)).ToArray();
        var plan = UploadPlan.Build(lengths, chunkBytes: 4096);

        var covered = lengths.Select(l => new int[l]).ToArray();
        foreach (var chunk in plan.Chunks)
        {
            Assert.InRange(chunk.Length, 1, 4096);
            foreach (var s in chunk.Segments)
            {
                Assert.InRange(s.ChunkOffset + s.Length, 1, chunk.Length);
                Assert.Equal(plan.Offsets[s.Item] + s.SourceOffset, chunk.ArenaOffset + s.ChunkOffset);
                for (var b = s.SourceOffset; b < s.SourceOffset + s.Length; b++)
                {
                    covered[s.Item][b]++;
                }
            }
        }

        Assert.All(covered, c => Assert.All(c, n => Assert.Equal(1, n)));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => UploadPlan.Build([-1], 4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => UploadPlan.Build([1], 16));
    }
}
