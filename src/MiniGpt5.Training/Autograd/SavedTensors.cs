using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Keeps tensors a backward formula needs alive past the forward's <see cref="TensorScope"/>: each is an alias (a
/// second tensor object on the same storage, outside any scope), freed by <see cref="Dispose"/>.
/// </summary>
internal static class SavedTensors
{
    /// <summary>An unscoped alias of <paramref name="tensor"/> that autograd does not see.</summary>
    public static Tensor Keep(Tensor tensor)
    {
        using var noGrad = GradMode.NoGrad();
        var alias = tensor.Alias().DetachFromScope();
        alias.RequiresGrad = false;
        alias.GradNode = null;
        return alias;
    }

    /// <summary>Disposes and clears every slot.</summary>
    public static void Dispose(Tensor?[] slots)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i]?.Dispose();
            slots[i] = null;
        }
    }
}
