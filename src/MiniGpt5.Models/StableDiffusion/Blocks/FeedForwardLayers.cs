using MiniGpt5.Models.Nn;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>FeedForward's <c>net</c> ModuleList: child "0" (GEGLU, key <c>net.0.proj</c>) and "2" (Linear, <c>net.2</c>);
/// index 1 is a dropout without weights.</summary>
public sealed class FeedForwardLayers : Module
{
    internal FeedForwardLayers(int dim, int inner)
    {
        Geglu = Child("0", new Geglu(dim, inner));
        Out = Child("2", new Linear(inner, dim));
    }

    public Geglu Geglu { get; }

    /// <summary>[dim, inner].</summary>
    public Linear Out { get; }
}
