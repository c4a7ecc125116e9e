using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class IndexingGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("ops_index.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Lookups_joins_and_resizes_are_exact(string backend)
    {
        // No tolerance: these ops only move values.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("embedding"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.Embedding(_golden[c, "ids"], _golden[c, "w"]), c.ToString());
        }

        foreach (var c in _golden.Op("index_select"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.IndexSelect(_golden[c, "x"], c.Int("dim"), _golden[c, "index"]), c.ToString());
        }

        foreach (var c in _golden.Op("gather"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.Gather(_golden[c, "x"], c.Int("dim"), _golden[c, "index"]), c.ToString());
        }

        foreach (var c in _golden.Op("scatter").Concat(_golden.Op("scatter_add")))
        {
            using var scope = TensorScope.Enter();
            var actual = c.Op == "scatter"
                ? Ops.Scatter(_golden[c, "x"], c.Int("dim"), _golden[c, "index"], _golden[c, "src"])
                : Ops.ScatterAdd(_golden[c, "x"], c.Int("dim"), _golden[c, "index"], _golden[c, "src"]);
            TensorAssert.Close(_golden[c, "out"], actual, 1e-6, 1e-6, c.ToString());
        }

        foreach (var c in _golden.Op("cat"))
        {
            using var scope = TensorScope.Enter();
            var parts = Enumerable.Range(0, 3).Where(i => _golden.Has(c, $"t{i}")).Select(i => _golden[c, $"t{i}"]).ToArray();
            TensorAssert.Identical(_golden[c, "out"], Ops.Cat(parts, c.Int("dim")), c.ToString());
        }

        foreach (var c in _golden.Op("interpolate"))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var actual = c.Params.ContainsKey("scale")
                ? Ops.InterpolateNearest(x, c.Double("scale"))
                : Ops.InterpolateNearest(x, c.Ints("size")[0], c.Ints("size")[1]);
            TensorAssert.Identical(_golden[c, "out"], actual, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Reductions_match_pytorch(string backend)
    {
        // Tolerance: float32 1e-5; bfloat16 one ulp; integer results exact.
        using var kernels = Kernels.Use(backend);
        foreach (var c in new[] { "sum", "mean", "amax", "amin", "var" }.SelectMany(_golden.Op))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var dims = c.Ints("dims");
            var keep = c.Bool("keepdim");
            var actual = c.Op switch
            {
                "sum" => Ops.Sum(x, dims, keep),
                "mean" => Ops.Mean(x, dims, keep),
                "amax" => Ops.Amax(x, dims, keep),
                "amin" => Ops.Amin(x, dims, keep),
                _ => Ops.Var(x, dims, c.Int("correction"), keep),
            };
            var expected = _golden[c, "out"];
            Assert.Equal(expected.DType, actual.DType);
            var (atol, rtol) = Kernels.Tolerance(expected.DType);
            TensorAssert.Close(expected, actual, atol, rtol, c.ToString());
        }

        foreach (var c in _golden.Op("argmax").Concat(_golden.Op("argmin")))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            int? dim = c.Params["dim"].ValueKind == System.Text.Json.JsonValueKind.Number ? c.Int("dim") : null;
            var actual = c.Op == "argmax" ? Ops.Argmax(x, dim, c.Bool("keepdim")) : Ops.Argmin(x, dim, c.Bool("keepdim"));
            TensorAssert.Identical(_golden[c, "out"], actual, c.ToString());
        }

        foreach (var c in _golden.Op("cumsum"))
        {
            using var scope = TensorScope.Enter();
            var expected = _golden[c, "out"];
            var actual = Ops.Cumsum(_golden[c, "x"], c.Int("dim"));
            Assert.Equal(expected.DType, actual.DType);
            TensorAssert.Close(expected, actual, 1e-5, 1e-5, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Topk_and_sort_match_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("topk"))
        {
            using var scope = TensorScope.Enter();
            var (values, indices) = Ops.TopK(_golden[c, "x"], c.Int("k"), c.Int("dim"), c.Bool("largest"));
            TensorAssert.Identical(_golden[c, "values"], values, c.ToString());
            TensorAssert.Identical(_golden[c, "indices"], indices, c.ToString());
        }

        foreach (var c in _golden.Op("sort"))
        {
            using var scope = TensorScope.Enter();
            var (values, indices) = Ops.Sort(_golden[c, "x"], c.Int("dim"), c.Bool("descending"));
            TensorAssert.Identical(_golden[c, "values"], values, c.ToString());
            TensorAssert.Identical(_golden[c, "indices"], indices, c.ToString());
        }
    }

    [Fact]
    public void Multinomial_draws_follow_the_weights_and_the_seed()
    {
        using var scope = TensorScope.Enter();
        var probabilities = Tensor.FromArray<float>([0.1f, 0, 0.6f, 0.3f], [4]);
        var counts = new int[4];
        var generator = new Generator(1234);
        for (var i = 0; i < 4000; i++)
        {
            counts[Ops.Multinomial(probabilities, 1, generator).Item<long>()]++;
        }

        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0], 300, 500);
        Assert.InRange(counts[2], 2250, 2550);
        Assert.InRange(counts[3], 1050, 1350);

        var first = Ops.Multinomial(probabilities, 3, new Generator(7)).ToArray<long>();
        var again = Ops.Multinomial(probabilities, 3, new Generator(7)).ToArray<long>();
        Assert.Equal(first, again);
        Assert.Equal(3, first.Distinct().Count());
        Assert.DoesNotContain(1L, first);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Multinomial(probabilities, 5, generator));
    }

    [Fact]
    public void Split_chunk_and_stack_are_views_and_copies_as_in_pytorch()
    {
        using var scope = TensorScope.Enter();
        var x = Tensor.Arange(10).Reshape(2, 5);
        var parts = Ops.Split(x, 2, 1);
        Assert.Equal([[2, 2], [2, 2], [2, 1]], parts.Select(p => p.ShapeArray()));
        Assert.Same(x.Storage, parts[2].Storage);
        Assert.Equal(new long[] { 4, 9 }, parts[2].ToArray<long>());
        Assert.Equal([[2, 3], [2, 2]], Ops.Chunk(x, 2, 1).Select(p => p.ShapeArray()));
        Assert.Equal([[2, 1], [2, 4]], Ops.Split(x, [1, 4], 1).Select(p => p.ShapeArray()));
        var stacked = Ops.Stack([x, x], 1);
        Assert.Equal([2, 2, 5], stacked.ShapeArray());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }, stacked.Select(0, 0).Flatten().ToArray<long>());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(Tensor.FromArray<long>([3, 11], [2]), Tensor.Zeros([11, 2])));
        Assert.Contains("11", error.Message, StringComparison.Ordinal);
    }
}
