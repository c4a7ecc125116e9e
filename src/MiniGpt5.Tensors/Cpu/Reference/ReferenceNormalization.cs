using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Layer, group and RMS norm, softmax and log-softmax in double precision.</summary>
internal static class ReferenceNormalization
{
    public static void LayerNorm(Tensor x, Tensor? weight, Tensor? bias, Tensor output, NormAttributes p)
    {
        var d = 1;
        for (var i = x.Rank - p.NormalizedRank; i < x.Rank; i++)
        {
            d *= x.Shape[i];
        }

        var values = RefTensor.ReadDouble(x);
        var w = weight is null ? null : RefTensor.ReadDouble(weight);
        var b = bias is null ? null : RefTensor.ReadDouble(bias);
        var result = new double[values.Length];
        for (var row = 0; row < values.Length / Math.Max(d, 1); row++)
        {
            var slice = values.AsSpan(row * d, d);
            var (mean, variance) = Moments(slice);
            var rstd = 1 / Math.Sqrt(variance + p.Eps);
            for (var i = 0; i < d; i++)
            {
                result[(row * d) + i] = (((slice[i] - mean) * rstd) * (w?[i] ?? 1)) + (b?[i] ?? 0);
            }
        }

        RefTensor.Write(output, result);
    }

    public static void GroupNorm(Tensor x, Tensor? weight, Tensor? bias, Tensor output, NormAttributes p)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var spatial = (int)(x.NumElements / Math.Max(n * c, 1));
        var perGroup = c / p.Groups;
        var values = RefTensor.ReadDouble(x);
        var w = weight is null ? null : RefTensor.ReadDouble(weight);
        var b = bias is null ? null : RefTensor.ReadDouble(bias);
        var result = new double[values.Length];
        var groupSize = perGroup * spatial;
        for (var i = 0; i < n * p.Groups; i++)
        {
            var slice = values.AsSpan(i * groupSize, groupSize);
            var (mean, variance) = Moments(slice);
            var rstd = 1 / Math.Sqrt(variance + p.Eps);
            for (var j = 0; j < groupSize; j++)
            {
                var channel = ((i % p.Groups) * perGroup) + (j / spatial);
                result[(i * groupSize) + j] = (((slice[j] - mean) * rstd) * (w?[channel] ?? 1)) + (b?[channel] ?? 0);
            }
        }

        RefTensor.Write(output, result);
    }

    /// <summary>HF LlamaRMSNorm: normalise in float32, round to the input dtype, then multiply by the weight.</summary>
    public static void RmsNorm(Tensor x, Tensor weight, Tensor output, NormAttributes p)
    {
        var d = x.Shape[^1];
        var values = RefTensor.ReadDouble(x);
        var w = RefTensor.ReadDouble(weight);
        var result = new double[values.Length];
        for (var row = 0; row < values.Length / Math.Max(d, 1); row++)
        {
            var slice = values.AsSpan(row * d, d);
            double sumSquares = 0;
            foreach (var v in slice)
            {
                sumSquares += v * v;
            }

            var rstd = 1 / Math.Sqrt((sumSquares / d) + p.Eps);
            for (var i = 0; i < d; i++)
            {
                var normalized = RefTensor.RoundTo(x.DType, slice[i] * rstd);
                result[(row * d) + i] = w[i] * normalized;
            }
        }

        RefTensor.Write(output, result);
    }

    public static void Softmax(Tensor x, Tensor output, int dim, bool log)
    {
        var values = RefTensor.ReadDouble(x);
        var size = x.Shape[dim];
        var inner = 1;
        for (var i = dim + 1; i < x.Rank; i++)
        {
            inner *= x.Shape[i];
        }

        var outer = values.Length / Math.Max(size * inner, 1);
        var result = new double[values.Length];
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < size; j++)
                {
                    max = Math.Max(max, values[(((o * size) + j) * inner) + i]);
                }

                double sum = 0;
                for (var j = 0; j < size; j++)
                {
                    sum += Math.Exp(values[(((o * size) + j) * inner) + i] - max);
                }

                for (var j = 0; j < size; j++)
                {
                    var index = (((o * size) + j) * inner) + i;
                    result[index] = log ? values[index] - max - Math.Log(sum) : Math.Exp(values[index] - max) / sum;
                }
            }
        }

        RefTensor.Write(output, result);
    }

    private static (double Mean, double Variance) Moments(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        var mean = sum / values.Length;
        double squares = 0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        return (mean, squares / values.Length);
    }
}
