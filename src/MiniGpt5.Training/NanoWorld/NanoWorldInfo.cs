namespace MiniGpt5.Training.NanoWorld;

/// <summary>Identity of the world's definition, recorded in every dataset manifest.</summary>
public static class NanoWorldInfo
{
    /// <summary>
    /// Bumped whenever the palette, geometry, sampler, caption grammar or story rules change, i.e. whenever the
    /// same seed would stop producing the same data.
    /// </summary>
    public const int Version = 1;
}
