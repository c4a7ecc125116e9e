namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// A pickle names a Python global (function or class) that is not on the allow-list of tensor and container
/// types. It is raised while the opcodes are read, before any object of the file is built, so nothing the
/// pickle asks for is ever carried out.
/// </summary>
public sealed class UnsafePickleException : CheckpointException
{
    /// <summary>Creates the refusal for <paramref name="globalName"/> ("module.name").</summary>
    public UnsafePickleException(string filePath, string pickleEntry, string globalName, long bytePosition, string reason)
        : base(
            Compose(filePath, pickleEntry,
                $"refused to unpickle: the pickle names the Python global '{globalName}' (at byte {bytePosition}), {reason}"),
            filePath,
            pickleEntry)
    {
        GlobalName = globalName;
        BytePosition = bytePosition;
    }

    /// <summary>The global the pickle asked for, as "module.name".</summary>
    public string GlobalName { get; }

    /// <summary>Offset of the opcode inside the pickle stream.</summary>
    public long BytePosition { get; }
}
