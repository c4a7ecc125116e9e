using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;

namespace MiniGpt5.Training.Optim;

/// <summary>torch.nn.utils.clip_grad_norm_ (L2): scales every gradient by min(1, max_norm/(total + 1e-6)).</summary>
public static class GradientClipping
{
    /// <summary>Clips the gradients of <paramref name="parameters"/> in place; returns the total norm before clipping.</summary>
    public static double ClipByGlobalNorm(GradientStore gradients, IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be positive.");
        }

        var total = GlobalNorm(gradients, parameters, out var present);
        var coefficient = Math.Min(1.0, maxNorm / (total + 1e-6));
        if (coefficient < 1.0)
        {
            using var noGrad = GradMode.NoGrad();
            foreach (var gradient in present)
            {
                Ops.MulInPlace(gradient, coefficient);
            }
        }

        return total;
    }

    /// <summary>The L2 norm over every gradient of <paramref name="parameters"/> (0 when none has one).</summary>
    public static double GlobalNorm(GradientStore gradients, IEnumerable<Parameter> parameters) =>
        GlobalNorm(gradients, parameters, out _);

    private static double GlobalNorm(GradientStore gradients, IEnumerable<Parameter> parameters, out List<Tensor> present)
    {
        using var noGrad = GradMode.NoGrad();
        present = [];
        double sumOfSquares = 0;
        foreach (var parameter in parameters)
        {
            if (gradients.Get(parameter) is not { } gradient)
            {
                continue;
            }

            present.Add(gradient);
            using var square = gradient * gradient;
            using var sum = Ops.Sum(square);
            sumOfSquares += sum.Item<float>();
        }

        return Math.Sqrt(sumOfSquares);
    }
}
