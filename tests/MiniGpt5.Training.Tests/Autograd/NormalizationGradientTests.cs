using MiniGpt5.Tensors;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of the norms and softmaxes.</summary>
public sealed class NormalizationGradientTests
{
    [Fact]
    public void LayerNorm_gradients_over_one_and_two_dims()
    {
        using var x = Randn(31, 2, 3, 6) * 2 + 0.5;
        using var w = Randn(32, 6);
        using var b = Randn(33, 6);
        Check(i => Ops.LayerNorm(i[0], [6], i[1], i[2], 1e-5), [x, w, b], name: "layer_norm affine");
        Check(i => Ops.LayerNorm(i[0], [6], eps: 1e-5), [x], name: "layer_norm plain");
        using var w2 = Randn(34, 3, 6);
        Check(i => Ops.LayerNorm(i[0], [3, 6], i[1], null, 1e-6), [x, w2], name: "layer_norm 2 dims");
    }

    [Fact]
    public void GroupNorm_gradients()
    {
        using var x = Randn(35, 2, 6, 3, 2) * 1.5;
        using var w = Randn(36, 6);
        using var b = Randn(37, 6);
        Check(i => Ops.GroupNorm(i[0], 3, i[1], i[2], 1e-5), [x, w, b], name: "group_norm affine");
        Check(i => Ops.GroupNorm(i[0], 2, eps: 1e-6), [x], name: "group_norm plain");
        using var x3 = Randn(38, 2, 4, 5);
        using var w3 = Randn(39, 4);
        Check(i => Ops.GroupNorm(i[0], 4, i[1], null, 1e-5), [x3, w3], name: "group_norm rank 3");
    }

    [Fact]
    public void RmsNorm_gradients()
    {
        using var x = Randn(40, 2, 3, 8);
        using var w = Randn(41, 8);
        Check(i => Ops.RmsNorm(i[0], i[1], 1e-6), [x, w], name: "rms_norm");
    }

    [Fact]
    public void Softmax_and_log_softmax_gradients_on_any_dim()
    {
        using var x = Randn(42, 2, 3, 5) * 2;
        Check(i => Ops.Softmax(i[0], -1), [x], name: "softmax -1");
        Check(i => Ops.Softmax(i[0], 1), [x], name: "softmax 1");
        Check(i => Ops.LogSoftmax(i[0], -1), [x], name: "log_softmax -1");
        Check(i => Ops.LogSoftmax(i[0], 0), [x], name: "log_softmax 0");
    }
}
