namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>What was written for one split (paths absolute).</summary>
/// <param name="Split">The split.</param>
/// <param name="Captions">Caption–image pairs in the CC3M file.</param>
/// <param name="Stories">Stories in the VIST file.</param>
/// <param name="StoryImages">Images of those stories.</param>
/// <param name="Cc3mTsv">The CC3M tsv, or null when no captions were asked for.</param>
/// <param name="VistJson">The VIST <c>*_cleaned.json</c>, or null when no stories were asked for.</param>
/// <param name="VistImageMapping">The VIST <c>*_image_mapping.json</c>, or null.</param>
/// <param name="Manifest">The split's manifest.</param>
public sealed record NanoSplitResult(
    NanoSplit Split,
    int Captions,
    int Stories,
    int StoryImages,
    string? Cc3mTsv,
    string? VistJson,
    string? VistImageMapping,
    string Manifest);
