using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class NormalizationGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("ops_norm.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Layer_group_and_rms_norm_match_pytorch(string backend)
    {
        // Tolerance: float32 1e-5 (abs and rel); half types one output ulp.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("layer_norm"))
        {
            using var scope = TensorScope.Enter();
            var weight = _golden.Has(c, "w") ? _golden[c, "w"] : null;
            var bias = _golden.Has(c, "b") ? _golden[c, "b"] : null;
            var actual = Ops.LayerNorm(_golden[c, "x"], c.Ints("shape"), weight, bias, c.Double("eps"));
            var (atol, rtol) = Kernels.Tolerance(actual.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());
        }

        foreach (var c in _golden.Op("group_norm"))
        {
            using var scope = TensorScope.Enter();
            var weight = _golden.Has(c, "w") ? _golden[c, "w"] : null;
            var bias = _golden.Has(c, "b") ? _golden[c, "b"] : null;
            var actual = Ops.GroupNorm(_golden[c, "x"], c.Int("groups"), weight, bias, c.Double("eps"));
            var (atol, rtol) = Kernels.Tolerance(actual.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());
        }

        foreach (var c in _golden.Op("rms_norm"))
        {
            using var scope = TensorScope.Enter();
            var expected = _golden[c, "out"];
            var actual = Ops.RmsNorm(_golden[c, "x"], _golden[c, "w"], c.Double("eps"));
            Assert.Equal(expected.DType, actual.DType);
            var (atol, rtol) = Kernels.Tolerance(_golden[c, "x"].DType);
            TensorAssert.Close(expected, actual, atol, rtol, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Softmax_and_log_softmax_match_pytorch_along_any_dim(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("softmax").Concat(_golden.Op("log_softmax")))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var actual = c.Op == "softmax" ? Ops.Softmax(x, c.Int("dim")) : Ops.LogSoftmax(x, c.Int("dim"));
            var (atol, rtol) = Kernels.Tolerance(x.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());
        }
    }
}
