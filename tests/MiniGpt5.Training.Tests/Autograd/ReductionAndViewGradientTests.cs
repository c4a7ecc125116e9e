using MiniGpt5.Tensors;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of reductions and of every view and copy.</summary>
public sealed class ReductionAndViewGradientTests
{
    [Fact]
    public void Sum_and_mean_gradients_with_and_without_keepdim()
    {
        using var x = Randn(81, 2, 3, 4);
        Check(i => Ops.Sum(i[0]), [x], name: "sum all");
        Check(i => Ops.Sum(i[0], [0, 2]), [x], name: "sum dims");
        Check(i => Ops.Sum(i[0], 1, keepDim: true), [x], name: "sum keepdim");
        Check(i => Ops.Mean(i[0]), [x], name: "mean all");
        Check(i => Ops.Mean(i[0], [-1]), [x], name: "mean last");
        Check(i => Ops.Mean(i[0], 0, keepDim: true), [x], name: "mean keepdim");
    }

    [Fact]
    public void Amax_amin_var_and_cumsum_gradients()
    {
        using var x = Randn(82, 3, 5) * 3;
        Check(i => Ops.Amax(i[0], -1), [x], eps: 1e-3, name: "amax");
        Check(i => Ops.Amin(i[0], 0, keepDim: true), [x], eps: 1e-3, name: "amin");
        Check(i => Ops.Max(i[0]), [x], eps: 1e-3, name: "max");
        Check(i => Ops.Var(i[0], 1), [x], name: "var unbiased");
        Check(i => Ops.Var(i[0], [0, 1], correction: 0, keepDim: true), [x], name: "var population");
        Check(i => Ops.Cumsum(i[0], 1), [x], name: "cumsum");
    }

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { 0, 2, 3 })]
    [InlineData(new[] { 1, 3 })]
    [InlineData(new[] { 0, 1, 2, 3 })]
    [InlineData(new int[0])]
    public void The_backward_sum_helper_matches_the_engine_sum(int[] dims)
    {
        // Formulas sum over leading and middle dims through GEMMs with ones (the engine's reduction is slow there).
        using var scope = TensorScope.Enter();
        var x = Randn(85, 3, 4, 5, 6);
        var expected = dims.Length == 0 ? x.Clone() : Ops.Sum(x, dims);
        var actual = MiniGpt5.Training.Autograd.Formulas.GradMath.Sum(x.Permute(0, 1, 2, 3), dims);
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        MiniGpt5.Training.Tests.Support.Close.Assert(expected.ToFloatArray(), actual.ToFloatArray(), 1e-6, 1e-6, $"sum over [{string.Join(", ", dims)}]");
        var strided = x.Transpose(1, 3);
        MiniGpt5.Training.Tests.Support.Close.Assert(Ops.Sum(strided, [0, 2]).ToFloatArray(), MiniGpt5.Training.Autograd.Formulas.GradMath.Sum(strided, [0, 2]).ToFloatArray(), 1e-6, 1e-6, "strided input");
    }

    [Fact]
    public void Tied_maxima_share_the_gradient()
    {
        using var x = Tensor.FromArray<float>([2f, 5f, 5f, 1f], [4]);
        var (gx, _) = ElementwiseGradientTests.Gradients((a, b) => Ops.Amax(a, 0) + Ops.Sum(b), x, x);
        Assert.Equal([0f, 0.5f, 0.5f, 0f], gx);
    }

    [Fact]
    public void View_gradients()
    {
        using var x = Randn(83, 2, 3, 4);
        Check(i => i[0].Reshape(4, 6) * Tensor.Arange(6, DType.Float32), [x], name: "reshape");
        Check(i => i[0].View(6, 4).Flatten(), [x], name: "view+flatten");
        Check(i => i[0].Permute(2, 0, 1).Contiguous(), [x], name: "permute");
        Check(i => i[0].Transpose(0, 2).Reshape(-1), [x], name: "transpose+reshape (copy)");
        Check(i => i[0].Slice(2, 1, 4, 2), [x], name: "slice step 2");
        Check(i => i[0].Narrow(1, 1, 2), [x], name: "narrow");
        Check(i => i[0].Select(1, 2), [x], name: "select");
        Check(i => i[0].Unsqueeze(1).Squeeze(1), [x], name: "unsqueeze/squeeze");
        Check(i => i[0].Slice(0, 0, 1).Expand(3, 3, 4), [x], name: "expand");
        Check(i => i[0].Clone() * i[0].Alias(), [x], name: "clone/alias");
    }

    [Fact]
    public void Dtype_round_trip_passes_the_gradient_through()
    {
        using var x = Randn(84, 3, 4);
        var (gx, _) = ElementwiseGradientTests.Gradients((a, b) => Ops.Sum(a.To(DType.BFloat16).To(DType.Float32) * 2.0) + Ops.Sum(b), x, x);
        Assert.All(gx, v => Assert.Equal(2f, v));
    }
}
