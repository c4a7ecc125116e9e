namespace MiniGpt5.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when a test says so, for lease expiry, message visibility
/// and TTL tests that must not sleep. Only <see cref="GetUtcNow"/> is manual; timers still run on real time.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _utcTicks;

    /// <summary>Starts at <paramref name="start"/>, or at a fixed instant in 2030 by default.</summary>
    public ManualClock(DateTimeOffset? start = null) =>
        _utcTicks = (start ?? new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero)).UtcTicks;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves time forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _utcTicks, by.Ticks);
    }
}
