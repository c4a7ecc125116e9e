using MiniGpt5.Imaging.Processing;

namespace MiniGpt5.Imaging.Tensors;

/// <summary>
/// The two image pipelines of MiniGPT-5 (MODEL_SPEC §1.4 and §3.2), composed from Pillow/torchvision-exact
/// steps so the tensors match the Python code's to float32 rounding.
/// </summary>
public static class MiniGpt5ImageTransforms
{
    /// <summary>Input side (EVA-CLIP): 224 × 224.</summary>
    public const int ClipSize = 224;

    /// <summary>Output side (Stable Diffusion 2.1 base): 512 × 512.</summary>
    public const int StableDiffusionSize = 512;

    /// <summary>
    /// Understanding-side input: RGB; optional white expand2square (the playground does it, train_eval does
    /// not); Resize(224, bilinear) on the shorter side; CenterCrop(224); optional horizontal flip (training);
    /// ToTensor; Normalize with the CLIP mean/std. Returns [3, 224, 224].
    /// </summary>
    public static PlanarImage ClipInput(Image image, bool padToSquare = false, bool flipHorizontal = false)
    {
        var pixels = ClipInputPixels(image, padToSquare, flipHorizontal);
        var tensor = ImageTensors.ToTensor(pixels);
        ImageTensors.Normalize(tensor, ImageTensors.ClipMean, ImageTensors.ClipStd);
        return tensor;
    }

    /// <summary>The 224 × 224 RGB image <see cref="ClipInput"/> turns into a tensor (before ToTensor).</summary>
    public static Image ClipInputPixels(Image image, bool padToSquare = false, bool flipHorizontal = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = image.ConvertTo(PixelFormat.Rgb);
        if (padToSquare)
        {
            rgb = ImageOps.PadToSquareWhite(rgb);
        }

        var resized = ImageOps.ResizeShorterSide(rgb, ClipSize, ResampleFilter.Bilinear);
        var cropped = ImageOps.CenterCrop(resized, ClipSize, ClipSize);
        return flipHorizontal ? ImageOps.FlipHorizontal(cropped) : cropped;
    }

    /// <summary>
    /// Generation-side target: RGB; white expand2square; Resize(512, bilinear); CenterCrop(512); optional flip
    /// (training); ToTensor; then Normalize(0.5, 0.5) to [-1, 1] when <paramref name="normalize"/> (training)
    /// or left in [0, 1] (evaluation ground truth). Returns [3, 512, 512].
    /// </summary>
    public static PlanarImage StableDiffusionTarget(Image image, bool normalize = true, bool flipHorizontal = false)
    {
        var pixels = StableDiffusionTargetPixels(image, flipHorizontal);
        var tensor = ImageTensors.ToTensor(pixels);
        if (normalize)
        {
            ImageTensors.NormalizeToSignedUnit(tensor);
        }

        return tensor;
    }

    /// <summary>The 512 × 512 RGB image <see cref="StableDiffusionTarget"/> turns into a tensor.</summary>
    public static Image StableDiffusionTargetPixels(Image image, bool flipHorizontal = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        var square = ImageOps.PadToSquareWhite(image.ConvertTo(PixelFormat.Rgb));
        var resized = ImageOps.ResizeShorterSide(square, StableDiffusionSize, ResampleFilter.Bilinear);
        var cropped = ImageOps.CenterCrop(resized, StableDiffusionSize, StableDiffusionSize);
        return flipHorizontal ? ImageOps.FlipHorizontal(cropped) : cropped;
    }
}
