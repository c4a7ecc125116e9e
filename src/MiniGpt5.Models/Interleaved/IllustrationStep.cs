using MiniGpt5.Imaging;

namespace MiniGpt5.Models.Interleaved;

/// <summary>An earlier step of the story: its text and, when it has one, its image (fed back to the model as input).</summary>
public sealed record IllustrationStep(string Text, Image? Image);
