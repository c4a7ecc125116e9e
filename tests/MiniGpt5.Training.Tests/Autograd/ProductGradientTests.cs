using MiniGpt5.Tensors;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of matmul, linear and (transposed) convolution backward.</summary>
public sealed class ProductGradientTests
{
    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 3, 4 }, new[] { 2, 4, 5 })]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 2 })]
    [InlineData(new[] { 4 }, new[] { 4, 5 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 4 }, new[] { 4 })]
    public void Matmul_gradients_handle_vectors_and_broadcast_batches(int[] aShape, int[] bShape)
    {
        using var a = Randn(11, aShape);
        using var b = Randn(12, bShape);
        Check(i => Ops.Matmul(i[0], i[1]), [a, b], name: $"matmul {string.Join('x', aShape)} @ {string.Join('x', bShape)}");
    }

    [Fact]
    public void Matmul_on_transposed_views_gets_gradients()
    {
        using var a = Randn(13, 4, 3);
        using var b = Randn(14, 5, 4);
        Check(i => Ops.Matmul(i[0].Transpose(0, 1), i[1].Transpose(0, 1)), [a, b], name: "matmul of transposes");
    }

    [Fact]
    public void Linear_gradients_with_and_without_bias()
    {
        using var x = Randn(15, 2, 3, 4);
        using var w = Randn(16, 5, 4);
        using var b = Randn(17, 5);
        Check(i => Ops.Linear(i[0], i[1], i[2]), [x, w, b], name: "linear+bias");
        Check(i => Ops.Linear(i[0], i[1]), [x, w], name: "linear");
    }

    [Fact]
    public void Linear_with_a_frozen_bf16_weight_gives_the_input_gradient()
    {
        using var x = Randn(18, 3, 4);
        using var w = Randn(19, 5, 4);
        using var wb = w.To(DType.BFloat16);
        Check(i => Ops.Linear(i[0], wb), [x], name: "linear bf16 weight");
    }

    public static TheoryData<int, int, int, int, bool> ConvCases => new()
    {
        // stride, padding, dilation, groups, bias
        { 1, 1, 1, 1, true },
        { 2, 1, 1, 1, false },
        { 1, 2, 2, 1, true },
        { 2, 0, 1, 2, true },
        { 3, 1, 1, 1, true },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_gradients_for_input_weight_and_bias(int stride, int padding, int dilation, int groups, bool bias)
    {
        using var x = Randn(21, 2, 4, 7, 6);
        using var w = Randn(22, 6, 4 / groups, 3, 3) * 0.5;
        using var b = Randn(23, 6);
        Tensor[] inputs = bias ? [x, w, b] : [x, w];
        Check(i => Ops.Conv2d(i[0], i[1], bias ? i[2] : null, stride, padding, dilation, groups), inputs, name: $"conv2d s{stride} p{padding} d{dilation} g{groups}");
    }

    [Fact]
    public void Conv2d_1x1_gradients()
    {
        using var x = Randn(24, 2, 3, 4, 5);
        using var w = Randn(25, 4, 3, 1, 1);
        Check(i => Ops.Conv2d(i[0], i[1]), [x, w], name: "conv2d 1x1");
    }

    public static TheoryData<int, int, int, int, int> ConvTransposeCases => new()
    {
        // stride, padding, output padding, groups, dilation
        { 1, 0, 0, 1, 1 },
        { 2, 1, 1, 1, 1 },
        { 2, 0, 0, 2, 1 },
        { 1, 1, 0, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(ConvTransposeCases))]
    public void ConvTranspose2d_gradients_for_input_weight_and_bias(int stride, int padding, int outputPadding, int groups, int dilation)
    {
        using var x = Randn(26, 2, 4, 4, 3);
        using var w = Randn(27, 4, 6 / groups, 3, 3) * 0.5;
        using var b = Randn(28, 6);
        Check(i => Ops.ConvTranspose2d(i[0], i[1], i[2], stride, padding, outputPadding, groups, dilation), [x, w, b],
            name: $"conv_transpose2d s{stride} p{padding} op{outputPadding} g{groups} d{dilation}");
    }
}
