namespace MiniGpt5.Storage.Local;

/// <summary>
/// Blob lease rules for the local store, following the Lease Blob REST operation (and Azurite's state machine,
/// which the contract tests compare us with): Available → Leased → Expired (by clock) / Breaking → Broken (by
/// clock). Lease ids compare case-insensitively, as GUIDs do. Every method either returns the new lease record
/// (null for Available) or throws the typed exception Azure's status maps to.
/// </summary>
internal static class LocalLease
{
    /// <summary>The state the lease is in at <paramref name="now"/>.</summary>
    public static BlobLeaseState EffectiveState(LocalLeaseRecord? lease, DateTimeOffset now) => lease switch
    {
        null => BlobLeaseState.Available,
        { State: BlobLeaseState.Leased, ExpiresOn: { } expires } when now >= expires => BlobLeaseState.Expired,
        { State: BlobLeaseState.Breaking, BreakOn: { } breakOn } when now >= breakOn => BlobLeaseState.Broken,
        _ => lease.State,
    };

    /// <summary>Leased or breaking: writes need the lease id.</summary>
    public static bool IsLocked(BlobLeaseState state) => state is BlobLeaseState.Leased or BlobLeaseState.Breaking;

    public static LocalLeaseRecord Acquire(LocalLeaseRecord? lease, int durationSeconds, string? proposedId, DateTimeOffset now, string where)
    {
        var state = EffectiveState(lease, now);
        switch (state)
        {
            case BlobLeaseState.Leased when !SameId(lease!.Id, proposedId):
                throw Conflict($"{where} is already leased by another holder.", "LeaseAlreadyPresent");
            case BlobLeaseState.Breaking:
                throw SameId(lease!.Id, proposedId)
                    ? Conflict($"{where}: the lease is breaking and cannot be acquired until it is broken.", "LeaseIsBreakingAndCannotBeAcquired")
                    : Conflict($"{where} is already leased by another holder (breaking).", "LeaseAlreadyPresent");
        }

        return new LocalLeaseRecord
        {
            Id = state == BlobLeaseState.Leased ? lease!.Id : proposedId ?? Guid.NewGuid().ToString(),
            State = BlobLeaseState.Leased,
            DurationSeconds = durationSeconds,
            ExpiresOn = durationSeconds < 0 ? null : now.AddSeconds(durationSeconds),
        };
    }

    public static LocalLeaseRecord Renew(LocalLeaseRecord? lease, string leaseId, DateTimeOffset now, string where)
    {
        var state = EffectiveState(lease, now);
        if (lease is null)
        {
            throw Conflict($"{where} has no lease to renew.", "LeaseNotPresentWithLeaseOperation");
        }

        if (!SameId(lease.Id, leaseId))
        {
            throw Conflict($"{where} is leased under another lease id; the lease was lost.", "LeaseIdMismatchWithLeaseOperation");
        }

        return state switch
        {
            BlobLeaseState.Leased or BlobLeaseState.Expired => lease with
            {
                State = BlobLeaseState.Leased,
                ExpiresOn = lease.DurationSeconds < 0 ? null : now.AddSeconds(lease.DurationSeconds),
            },
            _ => throw Conflict($"{where}: the lease was broken and cannot be renewed.", "LeaseIsBrokenAndCannotBeRenewed"),
        };
    }

    public static void CheckRelease(LocalLeaseRecord? lease, string leaseId, string where)
    {
        if (lease is null)
        {
            throw Conflict($"{where} has no lease to release.", "LeaseNotPresentWithLeaseOperation");
        }

        if (!SameId(lease.Id, leaseId))
        {
            throw Conflict($"{where} is leased under another lease id.", "LeaseIdMismatchWithLeaseOperation");
        }
    }

    /// <summary>Breaks the lease; returns the new record and how long until it can be acquired again.</summary>
    public static (LocalLeaseRecord Lease, TimeSpan Remaining) Break(LocalLeaseRecord? lease, int? breakSeconds, DateTimeOffset now, string where)
    {
        var state = EffectiveState(lease, now);
        if (lease is null)
        {
            throw Conflict($"{where} has no lease to break.", "LeaseNotPresentWithLeaseOperation");
        }

        DateTimeOffset? breakOn = state switch
        {
            BlobLeaseState.Leased when breakSeconds == 0 => null,
            BlobLeaseState.Leased when lease.ExpiresOn is null => breakSeconds is { } s ? now.AddSeconds(s) : null,
            BlobLeaseState.Leased => breakSeconds is { } s ? Min(lease.ExpiresOn.Value, now.AddSeconds(s)) : lease.ExpiresOn,
            BlobLeaseState.Breaking when breakSeconds == 0 => null,
            BlobLeaseState.Breaking => breakSeconds is { } s ? Min(lease.BreakOn!.Value, now.AddSeconds(s)) : lease.BreakOn,
            _ => null, // Expired or Broken: broken at once.
        };

        var broken = lease with
        {
            State = breakOn is null ? BlobLeaseState.Broken : BlobLeaseState.Breaking,
            BreakOn = breakOn,
            ExpiresOn = null,
        };
        return (broken, breakOn is { } b ? b - now : TimeSpan.Zero);
    }

    /// <summary>Write rule: a locked blob needs its lease id; an unlocked one must not be given one.</summary>
    public static void CheckWrite(LocalLeaseRecord? lease, string? leaseId, DateTimeOffset now, string where)
    {
        var state = EffectiveState(lease, now);
        if (IsLocked(state))
        {
            if (string.IsNullOrEmpty(leaseId))
            {
                throw Precondition($"{where} is leased; the write must carry the lease id.", "LeaseIdMissing");
            }

            if (!SameId(lease!.Id, leaseId))
            {
                throw Precondition($"{where} is leased under another lease id.", "LeaseIdMismatchWithBlobOperation");
            }
        }
        else if (!string.IsNullOrEmpty(leaseId))
        {
            throw Precondition($"{where} holds no active lease, but the write carried lease id {leaseId}; the lease expired or was released.", "LeaseNotPresentWithBlobOperation");
        }
    }

    /// <summary>Read rule: a read that carries a lease id needs that lease to be active.</summary>
    public static void CheckRead(LocalLeaseRecord? lease, string? leaseId, DateTimeOffset now, string where)
    {
        if (string.IsNullOrEmpty(leaseId))
        {
            return;
        }

        if (!IsLocked(EffectiveState(lease, now)))
        {
            throw Precondition($"{where} holds no active lease, but the read carried lease id {leaseId}.", "LeaseNotPresentWithBlobOperation");
        }

        if (!SameId(lease!.Id, leaseId))
        {
            throw Precondition($"{where} is leased under another lease id.", "LeaseIdMismatchWithBlobOperation");
        }
    }

    private static bool SameId(string current, string? other) =>
        other is not null && string.Equals(current, other, StringComparison.OrdinalIgnoreCase);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static BlobLeaseConflictException Conflict(string message, string code) =>
        new(message) { Status = 409, ErrorCode = code };

    private static BlobConditionFailedException Precondition(string message, string code) =>
        new(message) { Status = 412, ErrorCode = code };
}
