namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// Gives the <c>IllustrateStep</c> activity its model. The worker's implementation
/// (<see cref="ModelIllustratorSource"/>) loads it once per process, on first use, and keeps it; tests give a fake.
/// </summary>
public interface IIllustratorSource
{
    /// <summary>The model, loading it on the first call. Throws <see cref="ModelUnavailableException"/> when it cannot be loaded.</summary>
    Task<LoadedIllustrator> GetAsync(CancellationToken cancellationToken);
}
