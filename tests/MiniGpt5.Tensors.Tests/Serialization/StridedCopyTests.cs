using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Tensors.Tests.Serialization;

public sealed class StridedCopyTests
{
    [Theory]
    [InlineData("transposed")]
    [InlineData("block")]
    [InlineData("every_other_column")]
    [InlineData("row")]
    [InlineData("half_tail")]
    public void Chunked_copies_of_views_equal_the_whole_copy(string name)
    {
        using var set = CheckpointSet.Open(Golden.PathOf("shared_views.pt"));
        var tensor = set[name];
        var whole = new byte[tensor.ByteLength];
        tensor.CopyTo(whole);
        var size = tensor.DType.SizeOf();

        // Every chunk size from one element up, at every start: what the streaming writer does.
        for (var chunk = 1; chunk <= tensor.ElementCount; chunk++)
        {
            for (long first = 0; first + chunk <= tensor.ElementCount; first += chunk)
            {
                var part = new byte[chunk * size];
                tensor.CopyTo(first, part);
                Assert.Equal(whole.AsSpan((int)(first * size), chunk * size).ToArray(), part);
            }
        }
    }

    [Fact]
    public void Views_are_checked_against_their_storage()
    {
        var storage = new NativeStorage(16);
        try
        {
            var ok = new CheckpointTensor("ok", DType.Float32, [2, 2], [1, 2], 0, storage, "mem");
            Assert.False(ok.IsContiguous);
            Assert.Throws<InvalidOperationException>(() => ok.GetContiguousBytes());

            var error = Assert.Throws<CheckpointFormatException>(() => new CheckpointTensor("w", DType.Float32, [2, 3], [3, 1], 0, storage, "mem"));
            Assert.Equal("w", error.Key);
            Assert.Contains("reaches byte 24", error.Message, StringComparison.Ordinal);
            Assert.Throws<CheckpointFormatException>(() => new CheckpointTensor("w", DType.Float32, [2], [1, 1], 0, storage, "mem"));
            Assert.Throws<CheckpointFormatException>(() => new CheckpointTensor("w", DType.Float32, [long.MaxValue, 4], [4, 1], 0, storage, "mem"));
            Assert.Equal(0, new CheckpointTensor("e", DType.Float32, [0, 5], [5, 1], 4, storage, "mem").ElementCount);
        }
        finally
        {
            storage.Release();
        }
    }
}
