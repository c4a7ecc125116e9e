namespace MiniGpt5.Storage;

/// <summary>Base of every storage failure a caller can act on. Messages name the container, blob or queue; never a key.</summary>
public class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>HTTP status from the service, or the equivalent for the local store.</summary>
    public int Status { get; init; }

    /// <summary>The service's error code (for example <c>ConditionNotMet</c>), when it gave one.</summary>
    public string? ErrorCode { get; init; }
}

/// <summary>404: the blob or container does not exist.</summary>
public sealed class BlobNotFoundException : StorageException
{
    public BlobNotFoundException()
    {
    }

    public BlobNotFoundException(string message)
        : base(message)
    {
    }

    public BlobNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>409 on a create-only write: the blob already exists (for idempotent activities, "already done").</summary>
public sealed class BlobAlreadyExistsException : StorageException
{
    public BlobAlreadyExistsException()
    {
    }

    public BlobAlreadyExistsException(string message)
        : base(message)
    {
    }

    public BlobAlreadyExistsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>412: an If-Match / If-None-Match / append-position / lease-id precondition did not hold.</summary>
public sealed class BlobConditionFailedException : StorageException
{
    public BlobConditionFailedException()
    {
    }

    public BlobConditionFailedException(string message)
        : base(message)
    {
    }

    public BlobConditionFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>409 on a lease operation: another lease holds the blob, or ours was lost.</summary>
public sealed class BlobLeaseConflictException : StorageException
{
    public BlobLeaseConflictException()
    {
    }

    public BlobLeaseConflictException(string message)
        : base(message)
    {
    }

    public BlobLeaseConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>404 on a queue message: deleted, expired, or its pop receipt is stale.</summary>
public sealed class QueueMessageNotFoundException : StorageException
{
    public QueueMessageNotFoundException()
    {
    }

    public QueueMessageNotFoundException(string message)
        : base(message)
    {
    }

    public QueueMessageNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A connection string, key or credential is malformed or rejected. The message says what is wrong, never the secret.</summary>
public sealed class StorageConfigurationException : StorageException
{
    public StorageConfigurationException()
    {
    }

    public StorageConfigurationException(string message)
        : base(message)
    {
    }

    public StorageConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>404: the queue does not exist (create it first).</summary>
public sealed class QueueNotFoundException : StorageException
{
    public QueueNotFoundException()
    {
    }

    public QueueNotFoundException(string message)
        : base(message)
    {
    }

    public QueueNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
