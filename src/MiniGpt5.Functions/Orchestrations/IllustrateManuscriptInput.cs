using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>The <see cref="IllustrationNames.IllustrateManuscript"/> orchestration's input; its instance id is <paramref name="ManuscriptId"/>.</summary>
/// <param name="ManuscriptId">The manuscript id (<see cref="Manuscripts.ManuscriptId"/>): names the instance and the book folder.</param>
/// <param name="Source">Where the manuscript is.</param>
/// <param name="Options">Request options; they win over the manuscript's own, field by field.</param>
/// <param name="Book">Where the book goes; null means <see cref="BookLocation.For"/> the id.</param>
/// <param name="Retry">How failed steps are retried; null uses the defaults.</param>
public sealed record IllustrateManuscriptInput(
    string ManuscriptId,
    ManuscriptSource Source,
    ManuscriptOptions? Options = null,
    BookLocation? Book = null,
    StepRetrySettings? Retry = null)
{
    /// <summary>The book location, defaulted.</summary>
    public BookLocation ResolvedBook => Book ?? BookLocation.For(ManuscriptId);
}
