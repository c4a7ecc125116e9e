using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Losses;

/// <summary>The losses against PyTorch (losses.safetensors): values to 1e-6 relative, gradients to 1e-5.</summary>
public sealed class LossGoldenTests
{
    [Fact]
    public void Causal_lm_loss_shifts_ignores_minus_100_and_matches_torch()
    {
        using var golden = new GoldenCases("losses.safetensors");
        var c = golden.Case("causal_lm");
        using var scope = TensorScope.Enter();
        var logits = golden.Tensor(c, "logits");
        logits.RequiresGrad = true;
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        var loss = CausalLmLoss.Compute(logits, golden.Tensor(c, "labels"));
        Close.Assert(golden.Tensor(c, "loss").ToFloatArray(), [loss.Item<float>()], 1e-6, 0, "loss");
        tape.Backward(loss, store);
        Close.Assert(golden.Tensor(c, "grad.logits").ToFloatArray(), store.Get(logits)!.ToFloatArray(), 1e-5, 1e-8, "dlogits");
    }

    [Fact]
    public void Causal_lm_loss_without_supervised_tokens_is_nan_like_torch()
    {
        using var scope = TensorScope.Enter();
        var logits = Tensor.Zeros([1, 3, 4]);
        var labels = Tensor.FromArray<long>([-100, -100, -100], [1, 3]);
        Assert.True(float.IsNaN(CausalLmLoss.Compute(logits, labels).Item<float>()));
    }

    [Fact]
    public void Min_snr_weights_and_weighted_mse_match_torch()
    {
        using var golden = new GoldenCases("losses.safetensors");
        var c = golden.Case("min_snr");
        using var scope = TensorScope.Enter();
        var alphas = golden.Tensor(c, "alphas_cumprod").ToFloatArray();
        var timesteps = golden.Tensor(c, "timesteps").ToArray<long>();
        var weights = MinSnrWeighting.Weights(alphas, timesteps, c.Double("gamma"));
        Close.Assert(golden.Tensor(c, "weights").ToFloatArray(), weights, 1e-6, 0, "min-SNR weights");

        var prediction = golden.Tensor(c, "pred");
        prediction.RequiresGrad = true;
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        var loss = MinSnrWeighting.WeightedMse(prediction, golden.Tensor(c, "target"), weights);
        Close.Assert(golden.Tensor(c, "loss").ToFloatArray(), [loss.Item<float>()], 1e-6, 0, "weighted mse");
        tape.Backward(loss, store);
        Close.Assert(golden.Tensor(c, "grad.pred").ToFloatArray(), store.Get(prediction)!.ToFloatArray(), 1e-5, 1e-9, "dpred");
    }
}
