namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// What the illustration service asks of a model: given the story so far and the text of the next step, write the
/// model's response and, when it produces generative vokens, the step's image. Implemented by
/// <see cref="MiniGpt5Pipeline"/>; the service (and its tests) depend only on this. Calls are serialised by the
/// implementation; the seed makes a retry reproduce the same result.
/// </summary>
public interface IIllustrator
{
    /// <summary>
    /// Illustrates <paramref name="stepText"/> after <paramref name="contextSteps"/> (earlier steps in order, each with
    /// its image when it has one). <paramref name="seed"/> seeds the token sampling and the image's initial noise.
    /// </summary>
    Task<IllustrationResult> IllustrateAsync(
        IReadOnlyList<IllustrationStep> contextSteps,
        string stepText,
        ulong seed,
        IllustrationOptions options,
        CancellationToken cancellationToken = default);
}
