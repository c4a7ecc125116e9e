using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.StableDiffusion;

/// <summary>Keeps a copy of every named activation.</summary>
internal sealed class RecordingSink : IActivationSink, IDisposable
{
    public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);

    public void Record(string name, Tensor value) => Values[name] = value.Clone().DetachFromScope();

    public void Dispose()
    {
        foreach (var tensor in Values.Values)
        {
            tensor.Dispose();
        }
    }
}
