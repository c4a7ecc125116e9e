using MiniGpt5.Models.Nn;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>diffusers <c>GEGLU</c>: one Linear <c>proj</c> [2·inner, dim]; FeedForward applies the gating.</summary>
public sealed class Geglu : Module
{
    internal Geglu(int dim, int inner) => Proj = Child("proj", new Linear(dim, inner * 2));

    /// <summary>[2·inner, dim].</summary>
    public Linear Proj { get; }
}
