using System.Runtime.InteropServices;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Moves a finished temporary file to its final name only if nothing has that name yet, atomically, so two
/// racing writers cannot both "create" the file. <see cref="File.Move(string, string, bool)"/> is not enough on
/// Unix: without overwrite it checks for the target and then calls rename(2), which replaces whatever appeared in
/// between (CI caught 6 of 16 racing writers each believing they had created the file). link(2) fails with
/// EEXIST atomically, so on Unix the temporary file is hard-linked to the final name and then removed.
/// </summary>
internal static partial class CreateOnlyMove
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS alike.

    /// <summary>Moves <paramref name="source"/> to <paramref name="destination"/>; false if the destination exists.</summary>
    public static bool TryMove(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is already atomic there.
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }

        if (Link(source, destination) == 0)
        {
            File.Delete(source);
            return true;
        }

        if (Marshal.GetLastPInvokeError() == AlreadyExists)
        {
            return false;
        }

        // A file system without hard links (FAT, some network shares): create the name exclusively (O_EXCL) and
        // copy into it. Still only one winner; a crash mid-copy can leave a short file, which is why this is
        // the fallback and not the rule.
        return CopyIntoNewFile(source, destination);
    }

    private static bool CopyIntoNewFile(string source, string destination)
    {
        FileStream target;
        try
        {
            target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }

        using (target)
        using (var input = File.OpenRead(source))
        {
            input.CopyTo(target);
            target.Flush(flushToDisk: true);
        }

        File.Delete(source);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existingPath, string newPath);
}
