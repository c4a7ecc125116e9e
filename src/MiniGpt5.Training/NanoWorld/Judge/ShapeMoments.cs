using System.Numerics;

namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// Rotation-invariant shape descriptors from complex central moments of a coverage map (Abu-Mostafa and Psaltis,
/// "Recognitive aspects of moment invariants", 1984). With z = (x − x̄) + i(y − ȳ) and E the coverage-weighted
/// mean: <c>Elongation = |E[z²]| / E[|z|²]</c>, <c>Triangularity = |E[z³]| / E[|z|²]^1.5</c>,
/// <c>Squareness = |E[z⁴]| / E[|z|²]²</c>. A rotation multiplies E[zᵏ] by a unit complex number, so the
/// magnitudes do not change; an isotropic blur adds nothing to E[z²], E[z³] or E[z⁴] (the kernel's own
/// moments of those orders vanish), it only grows the normaliser E[|z|²], so the descriptors shrink smoothly
/// under blur instead of jumping. Ideal values (elongation, triangularity, squareness): circle (0, 0, 0);
/// square (0, 0, 0.6); apex-up triangle with base = height (1/7, 0.794, 0.049); 2:1 rectangle (0.6, 0, 0.264).
/// </summary>
/// <param name="Elongation">|E[z²]| / E[|z|²].</param>
/// <param name="Triangularity">|E[z³]| / E[|z|²]^1.5.</param>
/// <param name="Squareness">|E[z⁴]| / E[|z|²]².</param>
public readonly record struct ShapeMoments(double Elongation, double Triangularity, double Squareness)
{
    /// <summary>
    /// The descriptors of the coverage <paramref name="weights"/> at pixel centres (<paramref name="xs"/>,
    /// <paramref name="ys"/>). <paramref name="knownBlurVariance"/> is the variance per axis of a blur the caller
    /// applied itself (0.5 for the judge's [1 2 1]/4 smoothing): it is taken back out of E[|z|²] (2 × variance), so
    /// the descriptors describe the drawing, not the judge's own smoothing.
    /// </summary>
    public static ShapeMoments Measure(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> weights, double knownBlurVariance = 0)
    {
        if (xs.Length != ys.Length || xs.Length != weights.Length)
        {
            throw new ArgumentException($"Coordinates ({xs.Length}, {ys.Length}) and weights ({weights.Length}) differ in length.", nameof(weights));
        }

        double mass = 0, mx = 0, my = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            mass += weights[i];
            mx += weights[i] * xs[i];
            my += weights[i] * ys[i];
        }

        if (mass <= 0)
        {
            return default;
        }

        mx /= mass;
        my /= mass;
        double m2 = 0;
        Complex c2 = 0, c3 = 0, c4 = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var z = new Complex(xs[i] - mx, ys[i] - my);
            var z2 = z * z;
            m2 += weights[i] * ((z.Real * z.Real) + (z.Imaginary * z.Imaginary));
            c2 += weights[i] * z2;
            c3 += weights[i] * z2 * z;
            c4 += weights[i] * z2 * z2;
        }

        if (m2 <= 0)
        {
            return default;
        }

        // Keep at least half of the measured spread, so a tiny blob cannot divide by ~0.
        m2 = Math.Max(m2 / mass - (2 * knownBlurVariance), m2 / mass / 2);
        return new ShapeMoments(
            c2.Magnitude / mass / m2,
            c3.Magnitude / mass / Math.Pow(m2, 1.5),
            c4.Magnitude / mass / (m2 * m2));
    }

    /// <summary>The part of its size×size box a shape of <paramref name="kind"/> fills.</summary>
    public static double BoxFraction(ShapeKind kind) => kind switch
    {
        ShapeKind.Circle => Math.PI / 4,
        ShapeKind.Square => 1,
        ShapeKind.Triangle or ShapeKind.Rectangle => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind."),
    };

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"elongation {Elongation:F2}, triangularity {Triangularity:F2}, squareness {Squareness:F2}");
}
