using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Tests.Support;

/// <summary>Seeded random tensors, and the fast-versus-reference comparison used by the kernel tests.</summary>
internal static class RandomTensors
{
    public static Tensor Normal(Generator generator, int[] shape, DType dtype = DType.Float32, double scale = 1)
    {
        using var floats = Tensor.Randn(shape, generator);
        using var scaled = Ops.Mul(floats, scale);
        return scaled.To(dtype);
    }

    /// <summary>Runs <paramref name="op"/> on the default (fast) CPU backend and on the reference backend and checks
    /// |fast - reference| ≤ atol + rtol·|reference|.</summary>
    public static void FastMatchesReference(Func<Tensor> op, double atol, double rtol, string context)
    {
        using var scope = TensorScope.Enter();
        var fast = op();
        Tensor reference;
        using (Backends.Use(CpuReferenceBackend.Instance))
        {
            reference = op();
        }

        Assert.Equal(reference.DType, fast.DType);
        TensorAssert.Close(reference, fast, atol, rtol, context);
    }
}
