using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Makes a module's parameters autograd leaves according to <see cref="Parameter.Trainable"/>: trainable ones get
/// <see cref="Tensor.RequiresGrad"/> and their own writable, contiguous float32 value (the master weights an
/// optimizer updates in place, never a read-only memory-mapped checkpoint view); frozen ones are constants and cost
/// nothing in the backward.
/// </summary>
public static class ParameterLeaves
{
    /// <summary>Prepares every parameter of <paramref name="module"/>; returns the trainable ones with their names.</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Prepare(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var trainable = new List<(string, Parameter)>();
        foreach (var (name, parameter) in module.NamedParameters())
        {
            if (Prepare(parameter))
            {
                trainable.Add((name, parameter));
            }
        }

        return trainable;
    }

    /// <summary>Prepares one parameter; returns whether it is trainable.</summary>
    public static bool Prepare(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.Trainable)
        {
            parameter.Value.RequiresGrad = false;
            return false;
        }

        var value = parameter.Value;
        if (value.DType != DType.Float32 || !value.IsContiguous || value.Offset != 0 || !value.Storage.IsWritable || value.Storage.ReferenceCount > 1)
        {
            using var noGrad = GradMode.NoGrad();
            using var converted = value.To(DType.Float32);
            parameter.Assign(converted.Clone().DetachFromScope());
        }

        parameter.Value.RequiresGrad = true;
        parameter.Value.GradNode = null;
        return true;
    }

    /// <summary>Clears the autograd marks of every parameter (for inference after training).</summary>
    public static void Release(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (_, parameter) in module.NamedParameters())
        {
            parameter.Value.RequiresGrad = false;
            parameter.Value.GradNode = null;
        }
    }
}
