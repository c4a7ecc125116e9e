namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Installs an <see cref="IOpRecorder"/> for the current thread or async flow.</summary>
public static class OpRecorder
{
    private static readonly AsyncLocal<IOpRecorder?> Installed = new();

    // How many recorders are installed anywhere: lets the dispatcher skip the AsyncLocal lookup entirely when
    // nobody records (inference), so recording is free when off.
    private static int _installedCount;

    /// <summary>The recorder of this flow, if any.</summary>
    public static IOpRecorder? Current => Volatile.Read(ref _installedCount) == 0 ? null : Installed.Value;

    /// <summary>Makes <paramref name="recorder"/> current until the returned handle is disposed.</summary>
    public static IDisposable Install(IOpRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var previous = Installed.Value;
        Installed.Value = recorder;
        Interlocked.Increment(ref _installedCount);
        return new Restore(previous);
    }

    private sealed class Restore(IOpRecorder? previous) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                Installed.Value = previous;
                Interlocked.Decrement(ref _installedCount);
            }
        }
    }
}
