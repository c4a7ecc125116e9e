using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Per-step seeds, stable across processes, machines and .NET versions (unlike <c>string.GetHashCode</c>):
/// <c>seed = uint32_le(SHA-256(UTF-8("minigpt5/step-seed/v1\n" + basis + "\n" + step))[0..4])</c>, where
/// <c>step</c> is the 1-based step number in decimal and <c>basis</c> is <c>"manuscript:" + manuscriptId</c>, or
/// <c>"seed:" + seed</c> when the options fix a seed. In Python:
/// <c>int.from_bytes(hashlib.sha256(f"minigpt5/step-seed/v1\n{basis}\n{step}".encode()).digest()[:4], "little")</c>.
/// A retried or replayed step therefore draws the same noise and paints the same picture.
/// </summary>
public static class StepSeed
{
    /// <summary>The seed of step <paramref name="stepNumber"/> (1-based) for <paramref name="basis"/>.</summary>
    public static uint Derive(string basis, int stepNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(basis);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepNumber, 1);
        var material = string.Create(CultureInfo.InvariantCulture, $"minigpt5/step-seed/v1\n{basis}\n{stepNumber}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), hash);
        return BinaryPrimitives.ReadUInt32LittleEndian(hash);
    }

    /// <summary>The seed basis: the fixed seed when the options give one, else the manuscript id.</summary>
    public static string Basis(string manuscriptId, uint? fixedSeed) =>
        fixedSeed is { } seed
            ? string.Create(CultureInfo.InvariantCulture, $"seed:{seed}")
            : "manuscript:" + manuscriptId;
}
