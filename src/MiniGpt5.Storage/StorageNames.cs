using System.Text;

namespace MiniGpt5.Storage;

/// <summary>
/// Name and argument rules shared by every store, so that a name the local store accepts is one Azure accepts
/// too (and a mistake shows up on a laptop, not in production). Each check throws an
/// <see cref="ArgumentException"/> that names the bad value and the rule it broke.
/// </summary>
public static class StorageNames
{
    /// <summary>Longest blob name Azure accepts, in characters.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>Largest block <see cref="IBlobStore.AppendBlockAsync"/> accepts (Azure's classic 4 MiB limit, which Azurite also enforces).</summary>
    public const int MaxAppendBlockBytes = 4 * 1024 * 1024;

    /// <summary>Most blocks an append blob may hold.</summary>
    public const int MaxAppendBlocks = 50_000;

    /// <summary>Longest message visibility Azure accepts (7 days).</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    /// <summary>Message time-to-live when the caller gives none (7 days, Azure's default).</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromDays(7);

    /// <summary>Container names: 3-63 characters of lowercase letters, digits and single hyphens (Azure's rule).</summary>
    public static void ValidateContainer(string container) => ValidateDnsLikeName(container, "container");

    /// <summary>Queue names: the same rule as containers.</summary>
    public static void ValidateQueue(string queue) => ValidateDnsLikeName(queue, "queue");

    /// <summary>
    /// Blob names: 1-1024 characters; may hold spaces, unicode and '/'; no control characters (the XML
    /// listing cannot carry them), no backslash (the service rewrites it to '/'), and no "." or ".." path segment (an HTTP client would resolve it and
    /// address another blob, and a file-system store must never leave its root).
    /// </summary>
    public static void ValidateBlob(string container, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException($"Blob name in container '{container}' is empty.", nameof(name));
        }

        if (name.Length > MaxBlobNameLength)
        {
            throw new ArgumentException(
                $"Blob name '{Shorten(name)}' in container '{container}' is {name.Length} characters; the limit is {MaxBlobNameLength}.",
                nameof(name));
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
            {
                throw new ArgumentException(
                    $"Blob name '{Shorten(name)}' in container '{container}' holds control character U+{(int)c:X4} at index {i}.",
                    nameof(name));
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    throw new ArgumentException(
                        $"Blob name '{Shorten(name)}' in container '{container}' holds an unpaired surrogate at index {i}.",
                        nameof(name));
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                throw new ArgumentException(
                    $"Blob name '{Shorten(name)}' in container '{container}' holds an unpaired surrogate at index {i}.",
                    nameof(name));
            }
        }

        var backslash = name.IndexOf('\\', StringComparison.Ordinal);
        if (backslash >= 0)
        {
            throw new ArgumentException(
                $"Blob name '{Shorten(name)}' in container '{container}' holds a backslash at index {backslash}; Azure Storage turns it into '/', so use '/' for folders.",
                nameof(name));
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment is "." or "..")
            {
                throw new ArgumentException(
                    $"Blob name '{Shorten(name)}' in container '{container}' has a '{segment}' path segment; relative segments are not allowed in blob names.",
                    nameof(name));
            }
        }
    }

    /// <summary>Metadata: names are C# identifiers (Azure's rule), values printable ASCII without leading or trailing spaces (they travel as HTTP headers).</summary>
    public static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in metadata)
        {
            if (!IsIdentifier(key))
            {
                throw new ArgumentException(
                    $"Metadata name '{key}' is not a valid C# identifier (letters, digits and '_', not starting with a digit).",
                    nameof(metadata));
            }

            if (!seen.Add(key))
            {
                throw new ArgumentException(
                    $"Metadata name '{key}' appears twice (names are case-insensitive).",
                    nameof(metadata));
            }

            ArgumentNullException.ThrowIfNull(value, $"metadata['{key}']");
            foreach (var c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException(
                        $"Metadata value for '{key}' holds U+{(int)c:X4}; values must be printable ASCII (they are sent as HTTP headers).",
                        nameof(metadata));
                }
            }

            if (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '))
            {
                throw new ArgumentException(
                    $"Metadata value for '{key}' starts or ends with a space, which HTTP would silently trim.",
                    nameof(metadata));
            }

            if (value.Contains("  ", StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"Metadata value for '{key}' holds two spaces in a row, which HTTP header folding would merge.",
                    nameof(metadata));
            }
        }
    }

    /// <summary>Checks <see cref="BlobConditions"/>: If-Match and If-None-Match together are ambiguous (stores evaluate them differently).</summary>
    public static void ValidateConditions(BlobConditions? conditions)
    {
        if (conditions is { IfMatch: not null, IfNoneMatch: not null })
        {
            throw new ArgumentException(
                "BlobConditions sets both IfMatch and IfNoneMatch; use one of them.",
                nameof(conditions));
        }
    }

    /// <summary>
    /// Lease duration: 15-60 s, or <see cref="Timeout.InfiniteTimeSpan"/>. Returns whole seconds (fractions round
    /// up, as the service only takes whole seconds), or -1 for infinite.
    /// </summary>
    public static int ValidateLeaseDuration(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        var seconds = CeilingSeconds(duration);
        if (seconds is < 15 or > 60)
        {
            throw new ArgumentOutOfRangeException(
                nameof(duration),
                duration,
                "A lease lasts 15 to 60 seconds, or Timeout.InfiniteTimeSpan.");
        }

        return (int)seconds;
    }

    /// <summary>Lease break period: 0-60 s; returns whole seconds (rounded up), or null for the service default.</summary>
    public static int? ValidateBreakPeriod(TimeSpan? breakPeriod)
    {
        if (breakPeriod is not { } period)
        {
            return null;
        }

        var seconds = period < TimeSpan.Zero ? -1 : CeilingSeconds(period);
        if (seconds is < 0 or > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(breakPeriod), period, "A lease break period is 0 to 60 seconds.");
        }

        return (int)seconds;
    }

    /// <summary>A proposed lease id must be a GUID (Azure's rule).</summary>
    public static void ValidateLeaseId(string? leaseId, string parameterName)
    {
        if (leaseId is not null && !Guid.TryParse(leaseId, out _))
        {
            throw new ArgumentException($"Lease id '{leaseId}' is not a GUID.", parameterName);
        }
    }

    /// <summary>Message text must fit <see cref="IQueueStore.MaxMessageBytes"/> once encoded as UTF-8.</summary>
    public static void ValidateMessageText(string queue, string text, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(text, parameterName);
        int bytes;
        try
        {
            bytes = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"Message text for queue '{queue}' is not valid UTF-16 (unpaired surrogate).", parameterName, e);
        }

        if (bytes > IQueueStore.MaxMessageBytes)
        {
            throw new ArgumentException(
                $"Message for queue '{queue}' is {bytes} bytes of UTF-8; the limit is {IQueueStore.MaxMessageBytes}. Store large payloads in a blob and send its name.",
                parameterName);
        }
    }

    /// <summary>Visibility on receive: 1 s to 7 days. Returns whole seconds (fractions round up, so nothing shows early).</summary>
    public static int ValidateReceiveVisibility(TimeSpan visibilityTimeout)
    {
        var seconds = visibilityTimeout < TimeSpan.Zero ? -1 : CeilingSeconds(visibilityTimeout);
        if (seconds < 1 || seconds > MaxVisibility.TotalSeconds)
        {
            throw new ArgumentOutOfRangeException(
                nameof(visibilityTimeout),
                visibilityTimeout,
                "A receive hides messages for 1 second to 7 days.");
        }

        return (int)seconds;
    }

    /// <summary>Visibility on send or update: 0 to 7 days. Returns whole seconds (fractions round up).</summary>
    public static int ValidateUpdateVisibility(TimeSpan visibility, string parameterName)
    {
        var seconds = visibility < TimeSpan.Zero ? -1 : CeilingSeconds(visibility);
        if (seconds < 0 || seconds > MaxVisibility.TotalSeconds)
        {
            throw new ArgumentOutOfRangeException(parameterName, visibility, "Message visibility is 0 seconds to 7 days.");
        }

        return (int)seconds;
    }

    /// <summary>
    /// Time-to-live: positive, or <see cref="Timeout.InfiniteTimeSpan"/> for never (returned as -1); null means
    /// <see cref="DefaultTimeToLive"/>. Returns whole seconds (rounded up). The initial delay must end before it.
    /// </summary>
    public static long ValidateTimeToLive(TimeSpan? timeToLive, int visibilityDelaySeconds)
    {
        if (timeToLive == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        var ttl = timeToLive ?? DefaultTimeToLive;
        var seconds = ttl < TimeSpan.Zero ? -1 : CeilingSeconds(ttl);
        if (seconds < 1 || seconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeToLive),
                ttl,
                "Message time-to-live is 1 second or more, or Timeout.InfiniteTimeSpan for never.");
        }

        if (visibilityDelaySeconds >= seconds)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeToLive),
                ttl,
                $"The time-to-live must be longer than the visibility delay ({visibilityDelaySeconds} s).");
        }

        return seconds;
    }

    private static long CeilingSeconds(TimeSpan value) =>
        value.Ticks > long.MaxValue - TimeSpan.TicksPerSecond
            ? long.MaxValue / TimeSpan.TicksPerSecond
            : (value.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    /// <summary>How many messages one receive or peek may ask for: 1-32.</summary>
    public static void ValidateMessageCount(int maxMessages)
    {
        if (maxMessages is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "Ask for 1 to 32 messages at a time.");
        }
    }

    /// <summary>A blob range: offset ≥ 0, length ≥ 1 when given.</summary>
    public static void ValidateRange(BlobRange? range)
    {
        if (range is not { } r)
        {
            return;
        }

        if (r.Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(range), r.Offset, "A blob range starts at offset 0 or later.");
        }

        if (r.Length is { } length && length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(range), length, "A blob range is at least 1 byte long (leave Length null for 'to the end').");
        }
    }

    private static void ValidateDnsLikeName(string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name, kind);
        var ok = name.Length is >= 3 and <= 63;
        for (var i = 0; ok && i < name.Length; i++)
        {
            var c = name[i];
            var alnum = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (!alnum && (c != '-' || i == 0 || i == name.Length - 1 || name[i - 1] == '-'))
            {
                ok = false;
            }
        }

        if (!ok)
        {
            throw new ArgumentException(
                $"'{Shorten(name)}' is not a valid {kind} name: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                kind);
        }
    }

    private static bool IsIdentifier(string key)
    {
        if (string.IsNullOrEmpty(key) || char.IsDigit(key[0]))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(c == '_' || char.IsAsciiLetterOrDigit(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 77), "...");
}
