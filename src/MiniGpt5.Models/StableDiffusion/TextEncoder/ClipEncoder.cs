using MiniGpt5.Models.Nn;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPEncoder</c>: the <c>layers</c> list.</summary>
public sealed class ClipEncoder : Module
{
    internal ClipEncoder(ClipTextConfig c) =>
        Layers = Child("layers", new ModuleList<ClipEncoderLayer>(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new ClipEncoderLayer(c))));

    public ModuleList<ClipEncoderLayer> Layers { get; }
}
