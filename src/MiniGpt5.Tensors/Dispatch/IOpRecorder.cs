namespace MiniGpt5.Tensors.Dispatch;

/// <summary>
/// Told about every op (views included) whose inputs include a tensor with <see cref="Tensor.RequiresGrad"/>, while
/// it is installed with <see cref="OpRecorder.Install"/> and <see cref="GradMode.IsEnabled"/>. An autograd engine
/// implements it: it builds a node from the kind, inputs and attributes, stores it in the outputs'
/// <see cref="Tensor.GradNode"/> and sets their <see cref="Tensor.RequiresGrad"/>.
/// </summary>
/// <remarks>
/// The spans are only valid during the call. Tensors the recorder keeps must be kept alive with
/// <see cref="Tensor.Alias"/> (then <see cref="Tensor.DetachFromScope"/>), since the caller's scope will dispose
/// the originals. In-place ops (<see cref="Ops.AddInPlace(Tensor, Tensor)"/>, <see cref="Ops.CopyInto"/>, ops with an explicit
/// output) report the mutated tensor as the output; an in-place op's output is the same object as inputs[0].
/// </remarks>
public interface IOpRecorder
{
    /// <summary>Called after the op ran, with its outputs filled.</summary>
    void Record(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes);
}
