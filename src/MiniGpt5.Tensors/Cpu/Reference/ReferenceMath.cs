namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Scalar math in double precision for the reference kernels.</summary>
internal static class ReferenceMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InverseSqrtPi = 0.5641895835477563;

    /// <summary>The error function to about 1e-15: Taylor series below 2.5, the Laplace continued fraction for
    /// erfc above, 1 beyond 6.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        var ax = Math.Abs(x);
        double result;
        if (ax < 2.5)
        {
            // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0;
            var power = ax;
            for (var n = 0; n < 200; n++)
            {
                var term = power / ((2 * n) + 1);
                sum += term;
                if (Math.Abs(term) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }

                power *= -ax * ax / (n + 1);
            }

            result = TwoOverSqrtPi * sum;
        }
        else if (ax < 6)
        {
            // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail up.
            var fraction = ax;
            for (var n = 300; n >= 1; n--)
            {
                fraction = ax + (n / 2.0 / fraction);
            }

            result = 1 - (Math.Exp(-ax * ax) * InverseSqrtPi / fraction);
        }
        else
        {
            result = 1;
        }

        return x < 0 ? -result : result;
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    public static double GeluTanh(double x) =>
        0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x))));

    /// <summary>PyTorch's maximum/minimum/clamp propagate NaN.</summary>
    public static double MaxNaN(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    public static double MinNaN(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b);
}
