using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Helpers for kernels that need a different layout of an operand. They never go through the dispatcher,
/// so nothing a kernel does internally reaches the autograd recorder.</summary>
internal static unsafe class CpuTensors
{
    /// <summary>A contiguous copy (same dtype) made directly by the kernels; the caller disposes it.</summary>
    public static Tensor ContiguousCopy(Tensor source, DType? dtype = null)
    {
        var copy = Tensor.Empty(source.Shape, dtype ?? source.DType, Device.Cpu).DetachFromScope();
        if (!ElementwiseKernels.TryCopy(source, copy))
        {
            ReferenceElementwise.Copy(source, copy);
        }

        return copy;
    }

    /// <summary>Row and column strides that read <paramref name="tensor"/> as a [rows, cols] matrix without copying
    /// (rows = all leading dims), or null when its layout does not allow it.</summary>
    public static (long Row, long Col)? MatrixStrides(Tensor tensor, int rows, int cols)
    {
        var strides = ShapeMath.ViewStrides(tensor.Shape, tensor.Strides, [rows, cols]);
        return strides is null ? null : (strides[0], strides[1]);
    }

    /// <summary>A pinned float32 scratch matrix for results that cannot be written in place.</summary>
    public static float[] FloatBuffer(long length) => GC.AllocateUninitializedArray<float>(checked((int)length), pinned: true);
}
