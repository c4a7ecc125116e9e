using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

/// <summary>
/// The op surface, named and behaving like torch / torch.nn.functional (forward only). Every op validates shapes
/// and dtypes here (errors name the op and the shapes), allocates its output on the inputs' device (or writes into
/// the <c>output</c> tensor given, which must have the exact result shape and dtype, and is returned), runs through the
/// device's <see cref="IBackend"/>, and is reported to the installed <see cref="IOpRecorder"/>.
/// </summary>
/// <remarks>
/// Precision: float16/bfloat16 inputs are computed in float32 and rounded once to the output dtype; reductions,
/// norms, softmax and attention accumulate in float32 or better.
/// Explicit outputs: elementwise ops may write in place (output = an input); products and attention (Linear, Matmul,
/// ScaledDotProductAttention) refuse an output that shares storage with an input.
/// </remarks>
public static partial class Ops
{
    /// <summary>Returns <paramref name="output"/> after checking it fits, or a new tensor.</summary>
    private static Tensor Prepare(Tensor? output, ReadOnlySpan<int> shape, DType dtype, Device device, string op)
    {
        if (output is null)
        {
            return Tensor.Empty(shape, dtype, device);
        }

        if (!output.Shape.SequenceEqual(shape))
        {
            throw new TensorShapeException(
                $"{op}: the output tensor has shape {ShapeMath.Format(output.Shape)} but the result has shape {ShapeMath.Format(shape)}.");
        }

        if (output.DType != dtype)
        {
            throw new TensorDTypeException(
                $"{op}: the output tensor is {output.DType.TorchName()} but the result is {dtype.TorchName()}.");
        }

        if (output.Device != device)
        {
            throw new TensorDeviceException($"{op}: the output tensor is on {output.Device} but the inputs are on {device}.");
        }

        RequireWritable(output, op);
        return output;
    }

    /// <summary>Storage viewing read-only memory (a memory-mapped checkpoint) cannot be written.</summary>
    private static void RequireWritable(Tensor tensor, string op)
    {
        if (!tensor.Storage.IsWritable)
        {
            throw new InvalidOperationException(
                $"{op}: tensor {tensor} views read-only storage (a memory-mapped checkpoint); clone it before writing to it.");
        }
    }

    /// <summary>Runs an op whose single output is <paramref name="result"/>; disposes it if the op throws (unless the
    /// caller supplied it).</summary>
    private static Tensor Run(OpKind kind, ReadOnlySpan<Tensor> inputs, Tensor result, OpAttributes attributes, Tensor? suppliedOutput)
    {
        try
        {
            Dispatcher.Execute(kind, inputs, [result], attributes);
            return result;
        }
        catch when (!ReferenceEquals(result, suppliedOutput))
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Ops that read their inputs while writing the output (products, attention) need an output that
    /// shares no storage with them.</summary>
    private static void RequireSeparateOutput(Tensor? output, string op, params ReadOnlySpan<Tensor?> inputs)
    {
        if (output is null)
        {
            return;
        }

        foreach (var input in inputs)
        {
            if (input is not null && ReferenceEquals(input.Storage, output.Storage))
            {
                throw new ArgumentException(
                    $"{op}: the output tensor {output.Describe()} shares storage with the input {input.Describe()}; pass a separate buffer.");
            }
        }
    }

    private static void RequireFloat(Tensor tensor, string op, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.DType is not (DType.Float32 or DType.Float16 or DType.BFloat16))
        {
            throw new TensorDTypeException(
                $"{op}: {name} must be float32, float16 or bfloat16, got {tensor.Describe()}.");
        }
    }

    private static void RequireRank(Tensor tensor, int rank, string op, string name, string layout)
    {
        if (tensor.Rank != rank)
        {
            throw new TensorShapeException($"{op}: {name} must be {layout} (rank {rank}), got shape {ShapeMath.Format(tensor.Shape)}.");
        }
    }

    private static void RequireIndex(Tensor tensor, string op, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.DType is not (DType.Int32 or DType.Int64))
        {
            throw new TensorDTypeException($"{op}: {name} must be int32 or int64, got {tensor.Describe()}.");
        }
    }

    /// <summary>Internal cast/copy used by Tensor.Contiguous/Clone/To: a contiguous copy converted to <paramref name="dtype"/>.</summary>
    internal static Tensor CopyAs(Tensor source, DType dtype)
    {
        var result = Tensor.Empty(source.Shape, dtype, source.Device);
        return Run(OpKind.Copy, [source], result, OpAttributes.None, null);
    }
}
