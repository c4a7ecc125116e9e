using System.Text;

namespace MiniGpt5.Tensors.Dispatch;

/// <summary>
/// The one place every op passes through: checks that all tensors share a device, runs the device's backend, and
/// tells the installed <see cref="IOpRecorder"/> (if any, outside <see cref="GradMode.NoGrad"/>, and only when an
/// input requires grad).
/// </summary>
internal static class Dispatcher
{
    public static void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        var device = outputs[0].Device;
        foreach (var tensor in inputs)
        {
            if (tensor.Device != device)
            {
                throw new TensorDeviceException(
                    $"{kind}: all tensors must be on one device, but got {DescribeAll(inputs, outputs)}. Move them with Tensor.To(device) first.");
            }
        }

        for (var i = 1; i < outputs.Length; i++)
        {
            if (outputs[i].Device != device)
            {
                throw new TensorDeviceException($"{kind}: all tensors must be on one device, but got {DescribeAll(inputs, outputs)}.");
            }
        }

        Backends.For(device).Execute(kind, inputs, outputs, attributes);
        Record(kind, inputs, outputs, attributes);
    }

    /// <summary>Tells the recorder about a view (no computation happened).</summary>
    public static void RecordView(OpKind kind, Tensor input, Tensor output, OpAttributes attributes) =>
        Record(kind, [input], [output], attributes);

    public static void Record(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        var recorder = OpRecorder.Current;
        if (recorder is null || !GradMode.IsEnabled)
        {
            return;
        }

        foreach (var input in inputs)
        {
            if (input.RequiresGrad)
            {
                recorder.Record(kind, inputs, outputs, attributes);
                return;
            }
        }
    }

    private static string DescribeAll(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < inputs.Length; i++)
        {
            builder.Append(i == 0 ? "inputs " : ", ").Append(inputs[i].Describe());
        }

        builder.Append("; output ").Append(outputs[0].Describe());
        return builder.ToString();
    }
}
