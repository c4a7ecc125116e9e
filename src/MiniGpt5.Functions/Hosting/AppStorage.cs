using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// Opens the storage account of <see cref="MiniGpt5Settings.Storage"/>. <c>local</c> is the embedded store in
/// <c>.minigpt5/store</c> under the current directory, so every command run from one folder (<c>illustrate</c>,
/// <c>serve</c>, <c>worker</c>, <c>status</c>, <c>cancel</c>) sees the same task hub and books.
/// </summary>
public static class AppStorage
{
    /// <summary>The folder <c>local</c> means, relative to the current directory.</summary>
    public static string DefaultLocalRoot => Path.Combine(Directory.GetCurrentDirectory(), ".minigpt5", "store");

    /// <summary>
    /// The account for <paramref name="settings"/>. Throws <see cref="SettingsException"/> for a malformed
    /// connection string (the message never repeats a key).
    /// </summary>
    public static StorageAccount Open(MiniGpt5Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return StorageAccount.FromSetting(settings.Storage, DefaultLocalRoot);
        }
        catch (Exception e) when (e is StorageConfigurationException or FormatException or ArgumentException)
        {
            throw new SettingsException($"AzureWebJobsStorage (or --storage) is not usable: {e.Message}", e);
        }
    }
}
