using System.Collections.Concurrent;

namespace MiniGpt5.Storage.Local;

/// <summary>
/// Exclusive locks that hold across threads and across processes sharing a folder. Threads of this process queue
/// on a <see cref="SemaphoreSlim"/> per lock file (fair, no spinning); the holder then takes an OS lock on the
/// file itself: .NET opens a file with <see cref="FileShare.None"/> under <c>flock(LOCK_EX)</c> on Unix and a
/// share-mode lock on Windows, so another process (or another store instance over the same root) opening the same
/// file fails until we close it, and we retry with a short back-off. The lock dies with the handle, so a crashed
/// process never leaves a stale lock behind. Lock files are never deleted (deleting one would let two holders
/// lock two different inodes).
/// </summary>
internal sealed class FileLockTable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;

    public FileLockTable(TimeSpan timeout) => _timeout = timeout;

    /// <summary>Takes the lock on <paramref name="path"/>, creating the file if needed. Dispose the handle to release it.</summary>
    public async ValueTask<IDisposable> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw Timeout(path);
        }

        try
        {
            var started = Environment.TickCount64;
            var delayMs = 1;
            while (true)
            {
                try
                {
                    var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
                    return new Held(gate, handle);
                }
                catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
                {
                    // Held by another process (or another store over the same root): back off and retry.
                    if (Environment.TickCount64 - started > _timeout.TotalMilliseconds)
                    {
                        throw Timeout(path);
                    }

                    await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
                    delayMs = Math.Min(delayMs * 2, 50);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>
    /// Checks that the OS really enforces the lock in <paramref name="directory"/>: file locking can be switched
    /// off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING) or unsupported (some network file systems), and then two
    /// worker processes would corrupt each other's state without any error.
    /// </summary>
    public static void VerifyLockingWorks(string directory)
    {
        // A probe of our own: other processes open their stores at the same moment.
        var probe = Path.Combine(directory, $".lock-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using var first = new FileStream(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            try
            {
                using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException)
            {
                return;
            }
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (IOException)
            {
            }
        }

        throw new StorageConfigurationException(
            $"File locks are not enforced in '{directory}' (is DOTNET_SYSTEM_IO_DISABLEFILELOCKING set, or is this a network file system?). " +
            "The local store needs them to share its folder safely between processes; use a local disk or Azure Storage.");
    }

    private static StorageException Timeout(string path) =>
        new($"Timed out waiting for the local store lock '{path}'. Another process may be stuck holding it.")
        {
            Status = 503,
            ErrorCode = "LockTimeout",
        };

    private sealed class Held : IDisposable
    {
        private SemaphoreSlim? _gate;
        private readonly FileStream _handle;

        public Held(SemaphoreSlim gate, FileStream handle)
        {
            _gate = gate;
            _handle = handle;
        }

        public void Dispose()
        {
            var gate = Interlocked.Exchange(ref _gate, null);
            if (gate is null)
            {
                return;
            }

            _handle.Dispose();
            gate.Release();
        }
    }
}
