using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>Timesteps</c> / <c>get_timestep_embedding</c> (embeddings.py): the sinusoidal features of the
/// diffusion timestep, with no weights. Frequencies exp(-ln(10000)·i / (half - freq_shift)) for i &lt; half, features
/// [sin(t·f), cos(t·f)], swapped to [cos, sin] with flip_sin_to_cos (SD's setting), zero-padded when dim is odd.
/// Computed in float32 in the same order as PyTorch so fractional timesteps (Euler's) embed identically.
/// </summary>
public sealed class TimestepProjection
{
    private readonly float[] _frequencies;

    /// <summary>Features of width <paramref name="dim"/> (block_out_channels[0]).</summary>
    public TimestepProjection(int dim, bool flipSinToCos, double freqShift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 2);
        Dim = dim;
        FlipSinToCos = flipSinToCos;
        var half = dim / 2;
        _frequencies = new float[half];
        var logMaxPeriod = (float)-Math.Log(10000.0);
        var denominator = (float)(half - freqShift);
        for (var i = 0; i < half; i++)
        {
            // torch: exp((-log(10000) * arange(half, float32)) / (half - shift)), each step rounded to float32.
            _frequencies[i] = MathF.Exp(logMaxPeriod * i / denominator);
        }
    }

    public int Dim { get; }

    public bool FlipSinToCos { get; }

    /// <summary>timesteps (one per sample) → [B, dim] float32.</summary>
    public Tensor Project(ReadOnlySpan<float> timesteps)
    {
        var half = _frequencies.Length;
        var values = new float[timesteps.Length * Dim];
        for (var b = 0; b < timesteps.Length; b++)
        {
            var row = values.AsSpan(b * Dim, Dim);
            for (var i = 0; i < half; i++)
            {
                var angle = timesteps[b] * _frequencies[i];
                var (sin, cos) = (MathF.Sin(angle), MathF.Cos(angle));
                row[FlipSinToCos ? half + i : i] = sin;
                row[FlipSinToCos ? i : half + i] = cos;
            }
        }

        return Tensor.FromArray<float>(values, [timesteps.Length, Dim]);
    }
}
