namespace MiniGpt5.Tensors;

/// <summary>
/// Switches op recording for autograd on and off for the current thread or async flow (PyTorch's
/// <c>torch.no_grad()</c>): <c>using var _ = GradMode.NoGrad();</c>. Recording is on by default but costs nothing
/// until an <see cref="Dispatch.IOpRecorder"/> is installed.
/// </summary>
public static class GradMode
{
    private static readonly AsyncLocal<bool> Disabled = new();

    /// <summary>False inside a <see cref="NoGrad"/> block.</summary>
    public static bool IsEnabled => !Disabled.Value;

    /// <summary>Turns recording off until the returned handle is disposed.</summary>
    public static IDisposable NoGrad() => Set(enabled: false);

    /// <summary>Turns recording back on (inside a <see cref="NoGrad"/> block) until the handle is disposed.</summary>
    public static IDisposable EnableGrad() => Set(enabled: true);

    private static Restore Set(bool enabled)
    {
        var previous = Disabled.Value;
        Disabled.Value = !enabled;
        return new Restore(previous);
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                Disabled.Value = previous;
            }
        }
    }
}
