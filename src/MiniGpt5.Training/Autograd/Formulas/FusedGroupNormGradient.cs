using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd.Formulas;

/// <summary>
/// GroupNorm backward for contiguous float32 CPU tensors in two passes per (sample, group), instead of the dozen
/// whole-tensor kernels of the composed formula (GroupNorm was the second most expensive backward of the nano UNet and
/// VAE). With x̂ = (x − μ)·r over each group and ĝ = g·w (per channel):
/// dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dw[c] = Σ g·x̂, db[c] = Σ g (sums over samples and positions). Statistics are
/// accumulated in double.
/// </summary>
internal static class FusedGroupNormGradient
{
    /// <summary>Whether the fused path applies.</summary>
    public static bool Applies(Tensor x, Tensor g, Tensor? weight) =>
        x.DType == DType.Float32 && g.DType == DType.Float32 && x.Device.Kind == DeviceKind.Cpu && g.Device.Kind == DeviceKind.Cpu
        && x.Rank >= 2 && g.Shape.SequenceEqual(x.Shape) && (weight is null || (weight.DType == DType.Float32 && weight.Device.Kind == DeviceKind.Cpu));

    /// <summary>(dx, dw, db); each null when not asked for.</summary>
    public static (Tensor? Input, Tensor? Weight, Tensor? Bias) Compute(Tensor x, Tensor g, Tensor? weight, int groups, double eps, bool needInput, bool needWeight, bool needBias)
    {
        using var xs = x.IsContiguous ? x.Alias() : x.Contiguous();
        using var gs = g.IsContiguous ? g.Alias() : g.Contiguous();
        using var ws = weight is null ? null : (weight.IsContiguous ? weight.Alias() : weight.Contiguous());
        int n = x.Shape[0], c = x.Shape[1];
        var spatial = (int)(x.NumElements / ((long)n * c));
        var perGroup = c / groups;
        var groupSize = perGroup * spatial;
        var dx = needInput ? Tensor.Empty(x.Shape, DType.Float32, x.Device) : null;
        // Per-(sample, channel) partial sums of g·x̂ and g, reduced over samples at the end.
        var dwPartial = new double[n * c];
        var dbPartial = new double[n * c];
        Parallel.For(0, n * groups, index =>
        {
            var sample = index / groups;
            var group = index % groups;
            var offset = ((sample * c) + (group * perGroup)) * spatial;
            var xv = xs.AsSpan<float>().Slice(offset, groupSize);
            var gv = gs.AsSpan<float>().Slice(offset, groupSize);
            var wv = ws is null ? default : ws.AsSpan<float>();
            double sum = 0, sumSquares = 0;
            for (var i = 0; i < groupSize; i++)
            {
                sum += xv[i];
                sumSquares += (double)xv[i] * xv[i];
            }

            var mean = sum / groupSize;
            var variance = Math.Max((sumSquares / groupSize) - (mean * mean), 0.0);
            var rstd = 1.0 / Math.Sqrt(variance + eps);
            double sumGw = 0, sumGwXhat = 0;
            for (var k = 0; k < perGroup; k++)
            {
                var channel = (group * perGroup) + k;
                var w = ws is null ? 1.0 : wv[channel];
                double channelGXhat = 0, channelG = 0;
                for (var p = 0; p < spatial; p++)
                {
                    var i = (k * spatial) + p;
                    var xhat = (xv[i] - mean) * rstd;
                    double gi = gv[i];
                    channelGXhat += gi * xhat;
                    channelG += gi;
                }

                dwPartial[(sample * c) + channel] = channelGXhat;
                dbPartial[(sample * c) + channel] = channelG;
                sumGw += w * channelG;
                sumGwXhat += w * channelGXhat;
            }

            if (dx is null)
            {
                return;
            }

            var meanGw = sumGw / groupSize;
            var meanGwXhat = sumGwXhat / groupSize;
            var output = dx.AsSpan<float>().Slice(offset, groupSize);
            for (var k = 0; k < perGroup; k++)
            {
                var channel = (group * perGroup) + k;
                var w = ws is null ? 1.0 : wv[channel];
                for (var p = 0; p < spatial; p++)
                {
                    var i = (k * spatial) + p;
                    var xhat = (xv[i] - mean) * rstd;
                    output[i] = (float)(rstd * ((gv[i] * w) - meanGw - (xhat * meanGwXhat)));
                }
            }
        });
        return (dx, needWeight ? Reduce(dwPartial, n, c, x.Device) : null, needBias ? Reduce(dbPartial, n, c, x.Device) : null);
    }

    private static Tensor Reduce(double[] partial, int n, int c, Device device)
    {
        var totals = new float[c];
        for (var channel = 0; channel < c; channel++)
        {
            double total = 0;
            for (var sample = 0; sample < n; sample++)
            {
                total += partial[(sample * c) + channel];
            }

            totals[channel] = (float)total;
        }

        using var cpu = Tensor.FromArray<float>(totals, [c]);
        return device.Kind == DeviceKind.Cpu ? cpu.Alias() : cpu.To(device);
    }
}
