using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Tests.Support;

/// <summary>Runs a test body on the fast CPU backend or on the reference backend (theory data "cpu" / "reference").</summary>
internal static class Kernels
{
    public static TheoryData<string> Both => new() { "cpu", "reference" };

    public static IDisposable Use(string backend) => backend switch
    {
        "cpu" => new Nothing(),
        "reference" => Backends.Use(CpuReferenceBackend.Instance),
        _ => throw new ArgumentException($"Unknown backend {backend}.", nameof(backend)),
    };

    /// <summary>Tolerances for comparing with PyTorch (atol, rtol): float32 a few ulps of accumulated rounding,
    /// half types one ulp of the output dtype (2^-10 for float16, 2^-7 for bfloat16) plus slack.</summary>
    public static (double Atol, double Rtol) Tolerance(DType dtype) => dtype switch
    {
        DType.Float16 => (1e-3, 2e-3),
        DType.BFloat16 => (1e-2, 1.6e-2),
        _ => (1e-5, 1e-5),
    };

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
