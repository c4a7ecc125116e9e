namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>Images written so far, over all splits of the request.</summary>
/// <param name="ImagesWritten">Images rendered and encoded.</param>
/// <param name="ImagesTotal">Images the request needs.</param>
public sealed record NanoDatasetProgress(int ImagesWritten, int ImagesTotal);
