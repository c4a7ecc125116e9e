namespace MiniGpt5.Functions.Books;

/// <summary>
/// A book folder on the local file system. Each write goes to a temporary file beside the target, is flushed to
/// disk, and is then renamed into place, so a crash never leaves a half-written file under the final name.
/// Create-only writes finish with <see cref="CreateOnlyMove"/> (link(2) on Unix, MoveFileEx without
/// REPLACE_EXISTING on Windows), so two racing writers cannot both create it. The temporary file sits in the target's directory, so the move never crosses devices.
/// </summary>
public sealed class LocalBookFolder : IBookFolder
{
    /// <summary>A folder rooted at <paramref name="root"/> (created on first write).</summary>
    public LocalBookFolder(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary>The absolute local path of <paramref name="relativePath"/>.</summary>
    public string FullPath(string relativePath) => Path.Combine(Root, BookPath.Validate(relativePath).Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc />
    public async Task<bool> WriteFileAsync(string relativePath, ReadOnlyMemory<byte> content, bool createOnly, CancellationToken cancellationToken = default)
    {
        var target = FullPath(relativePath);
        if (createOnly && File.Exists(target))
        {
            return false;
        }

        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            });
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (!createOnly)
            {
                File.Move(temp, target, overwrite: true);
                return true;
            }

            return CreateOnlyMove.TryMove(temp, target);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadFileAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var path = FullPath(relativePath);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
