using MiniGpt5.Storage.Emulator;
using Xunit;

namespace MiniGpt5.Testing;

/// <summary>
/// One private Azurite per test collection: in memory, on ports the OS picks, killed with its process tree when
/// the collection ends. Use it as a collection fixture; xunit wants the collection definition in the test
/// assembly itself:
/// <code>
/// [CollectionDefinition(AzuriteFixture.Collection)]
/// public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;;
/// </code>
/// When Azurite is not installed every test in the collection FAILS (it does not skip) with a message saying how
/// to install it: storage behaviour is only proven against the real emulator.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Name for the xunit collection that shares one emulator.</summary>
    public const string Collection = "Azurite";

    private AzuriteProcess? _azurite;

    /// <summary>The running emulator.</summary>
    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>Connection string (account key form) for the running emulator.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <summary>Where the launcher is expected in the repository.</summary>
    public static string LauncherPath => Path.Combine(
        RepoPaths.RepoRoot, "tools", "azurite", "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var launcher = LauncherPath;
        if (!File.Exists(launcher))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed (expected '{launcher}'). Run scripts/test.sh, which installs it, " +
                "or install it yourself with: cd tools/azurite && npm ci");
        }

        // Cap the emulator's memory: several test runs may share a machine.
        _azurite = await AzuriteProcess.StartAsync(launcher, extentMemoryLimitMb: 2048);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        return Task.CompletedTask;
    }
}
