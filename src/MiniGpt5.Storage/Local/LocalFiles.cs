namespace MiniGpt5.Storage.Local;

/// <summary>Best-effort clean-up shared by the local stores.</summary>
internal static class LocalFiles
{
    /// <summary>
    /// Deletes a file, ignoring one that is still open elsewhere (Windows) or not ours to delete: an orphaned
    /// data file wastes space but loses nothing, and the next sweep of the root tries again.
    /// </summary>
    public static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes a folder tree, leaving what cannot be deleted now for the next time a store opens this root.</summary>
    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
