namespace MiniGpt5.Tensors.Cpu;

/// <summary>The rotary angle tables exactly as HF LLaMA builds them in float32.</summary>
internal static class RotaryTable
{
    /// <summary>inv_freq[i] = 1 / base^((2i)/D), each step in float32 as <c>1.0 / (base ** (arange(0, D, 2).float() / D))</c>.</summary>
    public static float InverseFrequency(int i, int dim, double theta)
    {
        var exponent = (float)(2 * i) / dim;
        var power = (float)Math.Pow((float)theta, exponent);
        return 1.0f / power;
    }

    /// <summary>cos and sin of position·inv_freq[i], the angle rounded to float32 as in HF's einsum.</summary>
    public static (float Cos, float Sin) CosSin(long position, int i, int dim, double theta)
    {
        var angle = (float)position * InverseFrequency(i, dim, theta);
        return ((float)Math.Cos(angle), (float)Math.Sin(angle));
    }
}
