using MiniGpt5.Models.Interleaved;

namespace MiniGpt5.Functions.Hosting;

/// <summary>A loaded model and what step records say about it.</summary>
/// <param name="Illustrator">The model.</param>
/// <param name="ModelName">Its name (<c>nano</c>, or the folder's name).</param>
/// <param name="ModelHash">A SHA-256 identifying its weights, when known.</param>
public sealed record LoadedIllustrator(IIllustrator Illustrator, string ModelName, string? ModelHash);
