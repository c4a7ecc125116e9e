using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Processing;
using MiniGpt5.Imaging.Tensors;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Data;

/// <summary>
/// train_eval.py's image pipelines with configurable sizes (224/512 for MiniGPT-5, smaller for the nano model):
/// input images Resize(size, bilinear) → CenterCrop → flip (training) → ToTensor → CLIP Normalize; the target
/// image white expand2square → Resize → CenterCrop → flip (training) → ToTensor → Normalize(0.5, 0.5).
/// Each RandomHorizontalFlip draws one uniform from the sample's generator (flip when below 0.5).
/// </summary>
public sealed record ImagePreprocessing(int InputSize = 224, int OutputSize = 512, bool RandomFlip = true)
{
    /// <summary>The input (understanding-side) tensor [3, InputSize, InputSize]; null path → the black placeholder.</summary>
    public async Task<PlanarImage> LoadInputAsync(string? path, Generator flips, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flips);
        // The release feeds a black 224² PIL image through the same transform when a sample has no input image.
        var image = path is null ? new Image(InputSize, InputSize, PixelFormat.Rgb) : await LoadAsync(path, cancellationToken).ConfigureAwait(false);
        var resized = ImageOps.CenterCrop(ImageOps.ResizeShorterSide(image.ConvertTo(PixelFormat.Rgb), InputSize, ResampleFilter.Bilinear), InputSize, InputSize);
        if (RandomFlip && flips.NextSingle() < 0.5f)
        {
            resized = ImageOps.FlipHorizontal(resized);
        }

        var tensor = ImageTensors.ToTensor(resized);
        ImageTensors.Normalize(tensor, ImageTensors.ClipMean, ImageTensors.ClipStd);
        return tensor;
    }

    /// <summary>The target tensor [3, OutputSize, OutputSize] in [-1, 1]; null path → zeros.</summary>
    public async Task<PlanarImage> LoadOutputAsync(string? path, Generator flips, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flips);
        if (path is null)
        {
            return new PlanarImage(3, OutputSize, OutputSize, new float[3 * OutputSize * OutputSize]);
        }

        var image = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
        var square = ImageOps.PadToSquareWhite(image.ConvertTo(PixelFormat.Rgb));
        var resized = ImageOps.CenterCrop(ImageOps.ResizeShorterSide(square, OutputSize, ResampleFilter.Bilinear), OutputSize, OutputSize);
        if (RandomFlip && flips.NextSingle() < 0.5f)
        {
            resized = ImageOps.FlipHorizontal(resized);
        }

        var tensor = ImageTensors.ToTensor(resized);
        ImageTensors.NormalizeToSignedUnit(tensor);
        return tensor;
    }

    private static async Task<Image> LoadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await ImageCodec.LoadAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ImageFormatException)
        {
            throw new DatasetFormatException(path, $"cannot be read as an image: {e.Message}", e);
        }
    }
}
