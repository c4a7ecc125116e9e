using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>PyTorch's default initialisers, drawing from our torch-compatible <see cref="Generator"/>.</summary>
public static class WeightInit
{
    /// <summary>U(-bound, bound) in place of the parameter's value.</summary>
    public static void Uniform(Parameter parameter, double bound, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        using var scope = TensorScope.Enter();
        var unit = Tensor.Rand(parameter.Value.Shape, generator);
        var value = Ops.Mul(Ops.Sub(Ops.Mul(unit, 2.0), 1.0), bound);
        parameter.Assign(value.To(parameter.Value.DType).DetachFromScope());
    }

    /// <summary>N(mean, std) in place of the parameter's value.</summary>
    public static void Normal(Parameter parameter, double std, Generator generator, double mean = 0.0)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        using var scope = TensorScope.Enter();
        var value = Ops.Add(Ops.Mul(Tensor.Randn(parameter.Value.Shape, generator), std), mean);
        parameter.Assign(value.To(parameter.Value.DType).DetachFromScope());
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static void Constant(Parameter parameter, double value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Assign(Tensor.Full(parameter.Value.Shape, value, parameter.Value.DType).DetachFromScope());
    }

    /// <summary>
    /// xavier_uniform_: U(±gain·√(6 / (fan_in + fan_out))) for a matrix [fan_out, fan_in] (later dimensions, as
    /// for convolutions, multiply both fans by the receptive field).
    /// </summary>
    public static void XavierUniform(Parameter parameter, Generator generator, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var shape = parameter.Value.Shape;
        if (shape.Length < 2)
        {
            throw new ArgumentException($"Xavier initialisation needs a tensor of at least 2 dimensions; '{parameter.Name}' has {shape.Length}.", nameof(parameter));
        }

        long receptive = 1;
        for (var i = 2; i < shape.Length; i++)
        {
            receptive *= shape[i];
        }

        var fanIn = shape[1] * receptive;
        var fanOut = shape[0] * receptive;
        Uniform(parameter, gain * Math.Sqrt(6.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// nn.Linear / nn.Conv2d default: kaiming_uniform_(a=√5) for the weight, which is U(±1/√fan_in), and
    /// U(±1/√fan_in) for the bias.
    /// </summary>
    public static void LinearDefault(Parameter weight, Parameter? bias, int fanIn, Generator generator)
    {
        var bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
        Uniform(weight, bound, generator);
        if (bias is not null)
        {
            Uniform(bias, bound, generator);
        }
    }
}
