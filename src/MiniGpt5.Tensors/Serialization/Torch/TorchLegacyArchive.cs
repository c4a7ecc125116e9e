using System.Globalization;
using System.Numerics;
using MiniGpt5.Tensors.Serialization.Pickle;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// The pre-1.6 layout of <c>torch.save</c> (still written with <c>_use_new_zipfile_serialization=False</c>):
/// five pickles in a row (magic number, protocol version 1001, system info, the object, the list of
/// storage keys) followed by each storage as an int64 element count and its raw bytes, in key order.
/// </summary>
internal sealed class TorchLegacyArchive : ITorchStorageSource
{
    private const long ProtocolVersion = 1001;
    private static readonly BigInteger Magic = BigInteger.Parse("01950a86a20f9469cfc6c", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private readonly TensorStorage _mapping;
    private readonly string _path;
    private readonly Dictionary<string, long> _dataOffsets;

    private TorchLegacyArchive(TensorStorage mapping, string path, object? root, Dictionary<string, long> dataOffsets)
    {
        _mapping = mapping;
        _path = path;
        Root = root;
        _dataOffsets = dataOffsets;
    }

    public object? Root { get; }

    public static TorchLegacyArchive Open(TensorStorage mapping, string path, PickleAllowList allowList, CancellationToken cancellationToken)
    {
        var bytes = new MappedBytes(mapping, path);
        // The pickles come first and are small; the storages after them may run to many GB.
        var head = bytes.Span(0, Math.Min(bytes.Length, int.MaxValue), "pickles");
        var position = 0;

        var magic = new PickleReader(path, "magic number", allowList, null).Load(head, ref position, cancellationToken);
        if (!(magic is BigInteger m && m == Magic))
        {
            throw new CheckpointFormatException(path, null, "the file is a pickle but not a torch.save checkpoint (the magic number is missing).");
        }

        var protocol = new PickleReader(path, "protocol version", allowList, null).Load(head, ref position, cancellationToken);
        if (protocol is not ProtocolVersion)
        {
            throw new CheckpointFormatException(path, "protocol version", $"legacy protocol version {protocol} is not supported (expected {ProtocolVersion}).");
        }

        var systemInfo = new PickleReader(path, "sys_info", allowList, null).Load(head, ref position, cancellationToken);
        if (systemInfo is PickleDictionary info && info.TryGetValue("little_endian", out var little) && little is false)
        {
            throw new CheckpointFormatException(path, "sys_info", "the checkpoint was written on a big-endian machine; re-save it with a recent PyTorch.");
        }

        var storages = new Dictionary<string, TorchStorageRef>(StringComparer.Ordinal);
        var root = new PickleReader(path, "data pickle", allowList, pid => PersistentLoad(pid, storages)).Load(head, ref position, cancellationToken);
        var keys = new PickleReader(path, "storage keys", allowList, null).Load(head, ref position, cancellationToken);
        if (keys is not PickleList keyList)
        {
            throw new CheckpointFormatException(path, "storage keys", "the list of storage keys is missing or malformed.");
        }

        // Walk the raw records in key order: each is an int64 element count, then the elements.
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long cursor = position;
        foreach (var item in keyList)
        {
            if (item is not string key || !storages.TryGetValue(key, out var storage))
            {
                throw new CheckpointFormatException(path, item?.ToString(), "the storage key list names a storage the pickle never declared.");
            }

            var count = (long)bytes.UInt64(cursor, $"storage '{key}' size");
            if (count != storage.ElementCount)
            {
                throw new CheckpointFormatException(path, key, $"the record holds {count} elements but the pickle declares {storage.ElementCount}; the file is corrupted.");
            }

            var length = checked(count * storage.DType.SizeOf());
            if (cursor + 8 > bytes.Length - length)
            {
                throw new CheckpointFormatException(path, key, $"the storage's {length} bytes run past the end of the file ({bytes.Length} bytes): the file is truncated.");
            }

            offsets[key] = cursor + 8;
            cursor += 8 + length;
        }

        foreach (var key in storages.Keys)
        {
            if (!offsets.ContainsKey(key))
            {
                throw new CheckpointFormatException(path, key, "the pickle declares this storage but the key list does not include it.");
            }
        }

        return new TorchLegacyArchive(mapping, path, root, offsets);
    }

    public TensorStorage CreateStorage(TorchStorageRef storage, CancellationToken cancellationToken)
    {
        var rootRef = storage.ViewOf ?? storage;
        var size = storage.DType.SizeOf();
        var offset = _dataOffsets[rootRef.Key] + (storage.ViewOffset * size);
        return StorageCopies.ViewOrCopy(_mapping, offset, storage.ElementCount * size, size);
    }

    private static TorchStorageRef PersistentLoad(object? pid, Dictionary<string, TorchStorageRef> storages)
    {
        // ('storage', storage_type, root_key, location, numel, view_metadata)
        if (pid is PickleTuple { Count: > 0 } t && t[0] is "module")
        {
            throw new InvalidDataException("the checkpoint pickles a whole nn.Module (torch.save(model)); save model.state_dict() instead.");
        }

        if (pid is not PickleTuple { Count: 6 } p || p[0] is not "storage")
        {
            throw new InvalidDataException($"unknown persistent id {pid}; legacy torch.save writes ('storage', type, key, location, numel, view).");
        }

        if (p[1] is not PickleGlobal { Kind: PickleGlobalKind.StorageType, DType: { } dtype } type)
        {
            throw new InvalidDataException($"persistent id names '{p[1]}' where a storage type belongs.");
        }

        if (p[2] is not string key || p[3] is not string location || p[4] is not long numel || numel < 0 || numel > long.MaxValue / 8)
        {
            throw new InvalidDataException("persistent id fields must be (str key, str location, non-negative int numel, view).");
        }

        var root = TorchZipArchive.Deduplicate(storages, new TorchStorageRef(key, dtype, type.FullName, location, numel));
        if (p[5] is null)
        {
            return root;
        }

        // (view_key, offset, size) in elements: a window of the root storage, from PyTorch before 1.0.
        if (p[5] is not PickleTuple { Count: 3 } view || view[0] is not string viewKey || view[1] is not long viewOffset || view[2] is not long viewSize
            || viewOffset < 0 || viewSize < 0 || viewOffset > numel - viewSize)
        {
            throw new InvalidDataException($"storage '{key}' has a malformed view {p[5]}.");
        }

        return new TorchStorageRef(viewKey, dtype, type.FullName, location, viewSize, root, viewOffset);
    }
}
