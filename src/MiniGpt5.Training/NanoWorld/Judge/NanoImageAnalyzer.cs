using System.Runtime.InteropServices;
using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Processing;

namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// Reads a picture of the nano world: background, then each object's kind, colour, size and cell. The steps
/// (all deterministic; the README gives the reasoning):
/// <list type="number">
/// <item>Convert to RGB; resize to 64x64 if needed (box filter when shrinking, so a 512x512 generation is
/// averaged down, not aliased); smooth with a 3x3 binomial kernel (<see cref="NanoJudgeOptions.Smooth"/>).</item>
/// <item>Background = per-channel median of all pixels in CIELAB (objects cover under a fifth of the canvas),
/// named by the nearest background palette colour.</item>
/// <item>Foreground = pixels more than <see cref="NanoJudgeOptions.ForegroundDistance"/> ΔE from the background;
/// objects = its 4-connected regions, each split between its cores when it has several (touching blurred
/// objects).</item>
/// <item>Object colour = per-channel median, in CIELAB, of the region's pixels at or above the region's median
/// distance from the background (its interior, not the blended rim); named by the palette colour whose blends
/// with the background (coverage <see cref="NanoJudgeOptions.MinPeakCoverage"/>..1) come closest.</item>
/// <item>Coverage of each region pixel = its projection onto the background→object-colour segment, clamped to
/// 0..1 (a half-covered anti-aliased or blurred pixel reads ½). Regions with soft area (Σ coverage) under
/// <see cref="NanoJudgeOptions.MinObjectArea"/> are dropped as noise.</item>
/// <item>Cell = the thirds (boundaries 21.5 and 42.5 pixels) holding the centre of mass. Kind from the
/// coverage's <see cref="ShapeMoments"/>: triangle, else rectangle, else square, else circle, by the thresholds
/// in <see cref="NanoJudgeOptions"/>. Size = big when √(area / the kind's box fraction) ≥ √(10·16) ≈ 12.65.</item>
/// </list>
/// </summary>
public sealed class NanoImageAnalyzer
{
    private const int Size = NanoGeometry.CanvasSize;

    // Variance per axis of the [1 2 1]/4 smoothing kernel: (1 + 1) / 4.
    private const double SmoothingVariance = 0.5;

    private static readonly (BackgroundColor Name, CieLab Lab)[] BackgroundLabs =
        [.. NanoPalette.AllBackgrounds.Select(b => (b, CieLab.FromSrgb(NanoPalette.Rgb(b))))];

    private static readonly (ShapeColor Name, CieLab Lab)[] ShapeLabs =
        [.. NanoPalette.AllShapeColors.Select(c => (c, CieLab.FromSrgb(NanoPalette.Rgb(c))))];

    private readonly NanoJudgeOptions _options;

    /// <summary>An analyser with <paramref name="options"/> (defaults when null).</summary>
    public NanoImageAnalyzer(NanoJudgeOptions? options = null) => _options = options ?? NanoJudgeOptions.Default;

    /// <summary>Reads <paramref name="image"/> (any size and layout; see the class summary).</summary>
    public DetectedScene Analyze(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var lab = ToLab(Prepare(image));
        var background = Median(lab, Enumerable.Range(0, Size * Size));
        var (backgroundName, backgroundDistance) = Nearest(BackgroundLabs, background);

        var distance = new double[Size * Size];
        var foreground = new bool[Size * Size];
        for (var i = 0; i < distance.Length; i++)
        {
            distance[i] = lab[i].DistanceTo(background);
            foreground[i] = distance[i] > _options.ForegroundDistance;
        }

        var objects = new List<DetectedObject>();
        foreach (var region in Regions(foreground))
        {
            foreach (var part in Split(region, lab, distance, background))
            {
                if (Measure(part, lab, distance, background) is { } found)
                {
                    objects.Add(found);
                }
            }
        }

        objects.Sort((a, b) => a.Cell.Index != b.Cell.Index
            ? a.Cell.Index.CompareTo(b.Cell.Index)
            : (a.CenterY, a.CenterX).CompareTo((b.CenterY, b.CenterX)));
        return new DetectedScene(backgroundName, background, backgroundDistance, objects);
    }

    private static Image Prepare(Image image)
    {
        var rgb = image.ConvertTo(PixelFormat.Rgb);
        if (rgb.Width != Size || rgb.Height != Size)
        {
            var shrinking = rgb.Width >= Size && rgb.Height >= Size;
            rgb = ImageOps.Resize(rgb, Size, Size, shrinking ? ResampleFilter.Box : ResampleFilter.Bilinear);
        }

        return rgb;
    }

    private CieLab[] ToLab(Image rgb)
    {
        var pixels = rgb.Pixels;
        var lab = new CieLab[Size * Size];
        if (!_options.Smooth)
        {
            for (var i = 0; i < lab.Length; i++)
            {
                lab[i] = CieLab.FromSrgb(pixels[i * 3], pixels[(i * 3) + 1], pixels[(i * 3) + 2]);
            }

            return lab;
        }

        // [1 2 1]ᵀ[1 2 1] with edges clamped, in integer sixteenths of a level, in sRGB (where the renderer
        // blends): rows first (sums 0..1020), then columns (0..4080).
        var horizontal = new int[Size * Size * 3];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var left = (((y * Size) + Math.Max(0, x - 1)) * 3);
                var middle = ((y * Size) + x) * 3;
                var right = (((y * Size) + Math.Min(Size - 1, x + 1)) * 3);
                for (var c = 0; c < 3; c++)
                {
                    horizontal[middle + c] = pixels[left + c] + (2 * pixels[middle + c]) + pixels[right + c];
                }
            }
        }

        for (var y = 0; y < Size; y++)
        {
            var up = Math.Max(0, y - 1) * Size;
            var down = Math.Min(Size - 1, y + 1) * Size;
            for (var x = 0; x < Size; x++)
            {
                var p = (y * Size) + x;
                var u = (up + x) * 3;
                var m = p * 3;
                var d = (down + x) * 3;
                lab[p] = CieLab.FromSrgbSixteenths(
                    horizontal[u] + (2 * horizontal[m]) + horizontal[d],
                    horizontal[u + 1] + (2 * horizontal[m + 1]) + horizontal[d + 1],
                    horizontal[u + 2] + (2 * horizontal[m + 2]) + horizontal[d + 2]);
            }
        }

        return lab;
    }

    private static List<List<int>> Regions(bool[] foreground)
    {
        var regions = new List<List<int>>();
        var seen = new bool[foreground.Length];
        var queue = new Queue<int>();
        for (var start = 0; start < foreground.Length; start++)
        {
            if (!foreground[start] || seen[start])
            {
                continue;
            }

            var region = new List<int>();
            seen[start] = true;
            queue.Enqueue(start);
            while (queue.TryDequeue(out var p))
            {
                region.Add(p);
                var x = p % Size;
                var y = p / Size;
                Visit(x > 0, p - 1);
                Visit(x < Size - 1, p + 1);
                Visit(y > 0, p - Size);
                Visit(y < Size - 1, p + Size);
            }

            regions.Add(region);
        }

        return regions;

        void Visit(bool inside, int q)
        {
            if (inside && foreground[q] && !seen[q])
            {
                seen[q] = true;
                queue.Enqueue(q);
            }
        }
    }

    /// <summary>
    /// A region holding two or more cores is two objects whose blurred rims touch: its pixels go to the nearest
    /// core, walking inside the region. Cores are looked for twice: first as connected pixels more than
    /// <see cref="NanoJudgeOptions.CoreDistance"/> from the background (separates objects of different
    /// contrast, such as yellow beside black); then, in each part, as connected pixels at least half covered
    /// by the part's own colour (separates same-coloured objects bridged by heavy blur). A core needs at least
    /// <see cref="NanoJudgeOptions.MinCorePixels"/> pixels.
    /// </summary>
    private IEnumerable<List<int>> Split(List<int> region, CieLab[] lab, double[] distance, CieLab background)
    {
        foreach (var part in SplitByCores(region, p => distance[p] > _options.CoreDistance))
        {
            var coverage = Coverage(part, lab, background, RegionColor(part, lab, distance));
            if (coverage is null)
            {
                yield return part;
                continue;
            }

            var solid = new HashSet<int>();
            for (var k = 0; k < part.Count; k++)
            {
                if (coverage[k] >= 0.5)
                {
                    solid.Add(part[k]);
                }
            }

            foreach (var piece in SplitByCores(part, solid.Contains))
            {
                yield return piece;
            }
        }
    }

    private List<List<int>> SplitByCores(List<int> region, Func<int, bool> isCore)
    {
        var solid = new bool[Size * Size];
        foreach (var p in region)
        {
            solid[p] = isCore(p);
        }

        var cores = Regions(solid).Where(core => core.Count >= _options.MinCorePixels).ToList();
        if (cores.Count <= 1)
        {
            return [region];
        }

        // Multi-source breadth-first search from the cores, restricted to the region.
        var owner = new int[Size * Size];
        Array.Fill(owner, -1);
        var inRegion = new bool[Size * Size];
        foreach (var p in region)
        {
            inRegion[p] = true;
        }

        var queue = new Queue<int>();
        for (var c = 0; c < cores.Count; c++)
        {
            foreach (var p in cores[c])
            {
                owner[p] = c;
                queue.Enqueue(p);
            }
        }

        while (queue.TryDequeue(out var p))
        {
            var x = p % Size;
            var y = p / Size;
            Claim(x > 0, p - 1, owner[p]);
            Claim(x < Size - 1, p + 1, owner[p]);
            Claim(y > 0, p - Size, owner[p]);
            Claim(y < Size - 1, p + Size, owner[p]);
        }

        var parts = cores.Select(_ => new List<int>()).ToList();
        foreach (var p in region)
        {
            if (owner[p] >= 0)
            {
                parts[owner[p]].Add(p);
            }
        }

        return parts;

        void Claim(bool inside, int q, int core)
        {
            if (inside && inRegion[q] && owner[q] < 0)
            {
                owner[q] = core;
                queue.Enqueue(q);
            }
        }
    }

    // Colour from the region's more strongly coloured half: the rim is a blend with the background.
    private static CieLab RegionColor(List<int> region, CieLab[] lab, double[] distance)
    {
        var distances = region.Select(p => distance[p]).Order().ToList();
        var cut = distances[distances.Count / 2];
        return Median(lab, region.Where(p => distance[p] >= cut));
    }

    // Coverage t = projection of (pixel − background) onto (colour − background), clamped to [0, 1]; null when
    // the colour is the background's.
    private static double[]? Coverage(List<int> region, CieLab[] lab, CieLab background, CieLab colour)
    {
        var axis = (L: colour.L - background.L, A: colour.A - background.A, B: colour.B - background.B);
        var axisLength2 = (axis.L * axis.L) + (axis.A * axis.A) + (axis.B * axis.B);
        if (axisLength2 < 1e-9)
        {
            return null;
        }

        var coverage = new double[region.Count];
        for (var k = 0; k < region.Count; k++)
        {
            var v = lab[region[k]];
            var t = (((v.L - background.L) * axis.L) + ((v.A - background.A) * axis.A) + ((v.B - background.B) * axis.B)) / axisLength2;
            coverage[k] = Math.Clamp(t, 0, 1);
        }

        return coverage;
    }

    private DetectedObject? Measure(List<int> region, CieLab[] lab, double[] distance, CieLab background)
    {
        var colour = RegionColor(region, lab, distance);
        var (colourName, colourDistance) = NearestUnmixed(colour, background, _options.MinPeakCoverage);
        if (Coverage(region, lab, background, colour) is not { } coverage)
        {
            return null;
        }

        var xs = new double[region.Count];
        var ys = new double[region.Count];
        double area = 0, sumX = 0, sumY = 0;
        for (var k = 0; k < region.Count; k++)
        {
            xs[k] = (region[k] % Size) + 0.5;
            ys[k] = (region[k] / Size) + 0.5;
            area += coverage[k];
            sumX += coverage[k] * xs[k];
            sumY += coverage[k] * ys[k];
        }

        if (area < _options.MinObjectArea)
        {
            return null;
        }

        var centerX = sumX / area;
        var centerY = sumY / area;
        var shape = ShapeMoments.Measure(xs, ys, coverage, _options.Smooth ? SmoothingVariance : 0);
        var kind =
            shape.Triangularity >= _options.TriangleTriangularity ? ShapeKind.Triangle
            : shape.Elongation >= _options.RectangleElongation ? ShapeKind.Rectangle
            : shape.Squareness >= _options.SquareSquareness ? ShapeKind.Square
            : ShapeKind.Circle;
        var size = Math.Sqrt(area / ShapeMoments.BoxFraction(kind)) >= NanoGeometry.SizeThreshold ? ShapeSize.Big : ShapeSize.Small;
        var cell = new GridCell((GridRow)NanoGeometry.Third(centerY), (GridColumn)NanoGeometry.Third(centerX));
        return new DetectedObject(kind, colourName, size, cell, centerX, centerY, area, shape, colour, colourDistance);
    }

    private static CieLab Median(CieLab[] lab, IEnumerable<int> indices)
    {
        var ls = new List<double>();
        var @as = new List<double>();
        var bs = new List<double>();
        foreach (var i in indices)
        {
            ls.Add(lab[i].L);
            @as.Add(lab[i].A);
            bs.Add(lab[i].B);
        }

        return new CieLab(MedianOf(ls), MedianOf(@as), MedianOf(bs));
    }

    // The median (mean of the two middle values when the count is even), by selection in linear time.
    private static double MedianOf(List<double> list)
    {
        var values = CollectionsMarshal.AsSpan(list);
        var n = values.Length;
        var upper = Select(values, n / 2);
        if (n % 2 == 1)
        {
            return upper;
        }

        // After selecting index n/2, everything before it is ≤ it: the lower middle is their maximum.
        var lower = double.MinValue;
        foreach (var v in values[..(n / 2)])
        {
            lower = Math.Max(lower, v);
        }

        return (lower + upper) / 2;
    }

    // Hoare-style quickselect with a median-of-three pivot; rearranges values so values[k] is the k-th smallest
    // with nothing larger before it.
    private static double Select(Span<double> values, int k)
    {
        int low = 0, high = values.Length - 1;
        while (high > low)
        {
            var mid = low + ((high - low) / 2);
            if (values[mid] < values[low])
            {
                (values[mid], values[low]) = (values[low], values[mid]);
            }

            if (values[high] < values[low])
            {
                (values[high], values[low]) = (values[low], values[high]);
            }

            if (values[high] < values[mid])
            {
                (values[high], values[mid]) = (values[mid], values[high]);
            }

            var pivot = values[mid];
            int i = low, j = high;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                high = j;
            }
            else if (k >= i)
            {
                low = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }

    /// <summary>
    /// The palette colour c whose blends with the background <c>b + α(c − b)</c>, α from
    /// <paramref name="minCoverage"/> to 1, come closest to <paramref name="colour"/>: a small object after blur
    /// never shows its pure colour, even in its middle, only a blend with the background around it.
    /// </summary>
    private static (ShapeColor Name, double Distance) NearestUnmixed(CieLab colour, CieLab background, double minCoverage)
    {
        var best = ShapeLabs[0].Name;
        var bestDistance = double.MaxValue;
        foreach (var (name, pure) in ShapeLabs)
        {
            var d = DistanceToSegment(colour, Blend(background, pure, minCoverage), pure);
            if (d < bestDistance)
            {
                best = name;
                bestDistance = d;
            }
        }

        return (best, bestDistance);
    }

    private static CieLab Blend(CieLab from, CieLab to, double alpha) =>
        new(from.L + (alpha * (to.L - from.L)), from.A + (alpha * (to.A - from.A)), from.B + (alpha * (to.B - from.B)));

    private static double DistanceToSegment(CieLab p, CieLab start, CieLab end)
    {
        var (dl, da, db) = (end.L - start.L, end.A - start.A, end.B - start.B);
        var length2 = (dl * dl) + (da * da) + (db * db);
        var t = length2 < 1e-12 ? 0 : Math.Clamp((((p.L - start.L) * dl) + ((p.A - start.A) * da) + ((p.B - start.B) * db)) / length2, 0, 1);
        return p.DistanceTo(Blend(start, end, t));
    }

    private static (T Name, double Distance) Nearest<T>((T Name, CieLab Lab)[] palette, CieLab colour)
    {
        var best = palette[0];
        var bestDistance = double.MaxValue;
        foreach (var entry in palette)
        {
            var d = entry.Lab.DistanceTo(colour);
            if (d < bestDistance)
            {
                best = entry;
                bestDistance = d;
            }
        }

        return (best.Name, bestDistance);
    }
}
