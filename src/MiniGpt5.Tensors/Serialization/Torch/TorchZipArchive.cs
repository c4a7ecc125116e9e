using System.Globalization;
using System.Text;
using MiniGpt5.Tensors.Serialization.Pickle;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// The zip layout of <c>torch.save</c> (PyTorch 1.6 and later): <c>{name}/data.pkl</c> holds the pickled
/// object whose persistent ids ('storage', type, key, location, numel) name the records
/// <c>{name}/data/{key}</c>; <c>{name}/version</c> and, since 2.1, <c>{name}/byteorder</c> sit beside them.
/// The folder name is whatever the file was called when saved, so any single top folder is accepted.
/// Records are stored uncompressed and 64-byte aligned, so they are mapped in place.
/// </summary>
internal sealed class TorchZipArchive : ITorchStorageSource
{
    private const string PickleName = "data.pkl";

    private readonly TensorStorage _mapping;
    private readonly string _path;
    private readonly string _prefix;
    private readonly IReadOnlyDictionary<string, ZipEntry> _entries;
    private readonly bool _bigEndian;
    private readonly bool _verifyChecksums;

    private TorchZipArchive(TensorStorage mapping, string path, string prefix, IReadOnlyDictionary<string, ZipEntry> entries, bool bigEndian, bool verifyChecksums)
    {
        _mapping = mapping;
        _path = path;
        _prefix = prefix;
        _entries = entries;
        _bigEndian = bigEndian;
        _verifyChecksums = verifyChecksums;
    }

    public object? Root { get; private set; }

    /// <summary>Reads the directory and the pickle; storages are only referenced until <see cref="CreateStorage"/>.</summary>
    public static TorchZipArchive Open(TensorStorage mapping, string path, PickleAllowList allowList, CheckpointOpenOptions options, CancellationToken cancellationToken)
    {
        var bytes = new MappedBytes(mapping, path);
        var entries = ZipDirectory.Read(bytes);

        var pickles = entries.Keys.Where(n => n.EndsWith("/" + PickleName, StringComparison.Ordinal) && n.IndexOf('/') == n.Length - PickleName.Length - 1).ToList();
        if (pickles.Count != 1)
        {
            var torchScript = entries.Keys.Any(n => n.EndsWith("constants.pkl", StringComparison.Ordinal));
            throw new CheckpointFormatException(path, null, pickles.Count == 0
                ? torchScript
                    ? "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the model's state_dict() with torch.save instead."
                    : $"the zip holds no '<folder>/data.pkl', so it is not a torch.save checkpoint (entries: {string.Join(", ", entries.Keys.Take(10))})."
                : $"the zip holds {pickles.Count} data.pkl records ({string.Join(", ", pickles)}); a torch.save checkpoint has one.");
        }

        var pickleEntry = entries[pickles[0]];
        var prefix = pickles[0][..^PickleName.Length];
        if (entries.ContainsKey(prefix + "constants.pkl") || entries.Keys.Any(n => n.StartsWith(prefix + "code/", StringComparison.Ordinal)))
        {
            // TorchScript archives carry a data.pkl too, but it pickles compiled module classes.
            throw new CheckpointFormatException(path, null,
                "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the model's state_dict() with torch.save instead.");
        }

        var bigEndian = ReadByteOrder(mapping, path, entries, prefix);
        CheckVersion(mapping, path, entries, prefix);

        var archive = new TorchZipArchive(mapping, path, prefix, entries, bigEndian, options.VerifyChecksums);
        var pickleBytes = archive.ReadSmallRecord(pickleEntry, cancellationToken);
        var storages = new Dictionary<string, TorchStorageRef>(StringComparer.Ordinal);
        var reader = new PickleReader(path, pickleEntry.Name, allowList, pid => PersistentLoad(pid, storages));
        var position = 0;
        archive.Root = reader.Load(pickleBytes, ref position, cancellationToken);
        return archive;
    }

    public TensorStorage CreateStorage(TorchStorageRef storage, CancellationToken cancellationToken)
    {
        var name = $"{_prefix}data/{storage.Key}";
        if (!_entries.TryGetValue(name, out var entry))
        {
            throw new CheckpointFormatException(_path, name, $"the pickle refers to storage '{storage.Key}' but the archive has no record for it.");
        }

        var size = storage.DType.SizeOf();
        var needed = checked(storage.ElementCount * size);
        if (entry.UncompressedSize < needed)
        {
            throw new CheckpointFormatException(_path, name,
                $"the record holds {entry.UncompressedSize} bytes but the pickle declares {storage.ElementCount} {storage.DType.TorchName()} elements ({needed} bytes).");
        }

        if (entry.Method == ZipEntry.Deflated)
        {
            var inflated = StorageCopies.Inflate(_mapping, entry.DataOffset, entry.CompressedSize, entry.UncompressedSize, _path, name, cancellationToken);
            try
            {
                if (_verifyChecksums)
                {
                    VerifyChecksum(entry, inflated, 0);
                }

                if (_bigEndian)
                {
                    StorageCopies.SwapInPlace(inflated, size);
                }

                return inflated;
            }
            catch
            {
                inflated.Release();
                throw;
            }
        }

        if (_verifyChecksums)
        {
            VerifyChecksum(entry, _mapping, entry.DataOffset);
        }

        return _bigEndian
            ? StorageCopies.CopySwapped(_mapping, entry.DataOffset, needed, size)
            : StorageCopies.ViewOrCopy(_mapping, entry.DataOffset, needed, size);
    }

    internal static TorchStorageRef PersistentLoad(object? pid, Dictionary<string, TorchStorageRef> storages)
    {
        // ('storage', storage_type, key, location, numel)
        if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage")
        {
            throw new InvalidDataException($"unknown persistent id {pid}; torch.save writes ('storage', type, key, location, numel).");
        }

        if (t[1] is not PickleGlobal { Kind: PickleGlobalKind.StorageType, DType: { } dtype } type)
        {
            throw new InvalidDataException($"persistent id names '{t[1]}' where a storage type belongs.");
        }

        if (t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0 || numel > long.MaxValue / 8)
        {
            throw new InvalidDataException("persistent id fields must be (str key, str location, non-negative int numel).");
        }

        return Deduplicate(storages, new TorchStorageRef(key, dtype, type.FullName, location, numel));
    }

    internal static TorchStorageRef Deduplicate(Dictionary<string, TorchStorageRef> storages, TorchStorageRef storage)
    {
        // Tensors that share a storage name the same key: hand out one reference so they share memory.
        if (!storages.TryGetValue(storage.Key, out var known))
        {
            storages.Add(storage.Key, storage);
            return storage;
        }

        if (known.DType != storage.DType || known.ElementCount != storage.ElementCount)
        {
            throw new InvalidDataException(
                $"storage '{storage.Key}' is declared twice, as {known.ElementCount} {known.DType.TorchName()} and as {storage.ElementCount} {storage.DType.TorchName()}.");
        }

        return known;
    }

    private static bool ReadByteOrder(TensorStorage mapping, string path, IReadOnlyDictionary<string, ZipEntry> entries, string prefix)
    {
        if (!entries.TryGetValue(prefix + "byteorder", out var entry))
        {
            // Files from before PyTorch 2.1 have no record; they were written little-endian.
            return false;
        }

        var text = ReadText(mapping, path, entry);
        return text switch
        {
            "little" => false,
            "big" => true,
            _ => throw new CheckpointFormatException(path, entry.Name, $"unknown byte order '{text}' (expected 'little' or 'big')."),
        };
    }

    private static void CheckVersion(TensorStorage mapping, string path, IReadOnlyDictionary<string, ZipEntry> entries, string prefix)
    {
        if (!entries.TryGetValue(prefix + "version", out var entry) && !entries.TryGetValue(prefix + ".data/version", out entry))
        {
            return;
        }

        var text = ReadText(mapping, path, entry);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw new CheckpointFormatException(path, entry.Name, $"the format version '{text}' is not a positive integer.");
        }
    }

    private static string ReadText(TensorStorage mapping, string path, ZipEntry entry)
    {
        if (entry.UncompressedSize > 64)
        {
            throw new CheckpointFormatException(path, entry.Name, $"a short text record was expected, not {entry.UncompressedSize} bytes.");
        }

        if (entry.Method == ZipEntry.Stored)
        {
            return Encoding.ASCII.GetString(new MappedBytes(mapping, path).Span(entry.DataOffset, entry.UncompressedSize, entry.Name)).Trim();
        }

        var inflated = StorageCopies.Inflate(mapping, entry.DataOffset, entry.CompressedSize, entry.UncompressedSize, path, entry.Name, CancellationToken.None);
        try
        {
            return Encoding.ASCII.GetString(inflated.AsBytes()).Trim();
        }
        finally
        {
            inflated.Release();
        }
    }

    private byte[] ReadSmallRecord(ZipEntry entry, CancellationToken cancellationToken)
    {
        if (entry.UncompressedSize > int.MaxValue)
        {
            throw new CheckpointFormatException(_path, entry.Name, $"the pickle record is {entry.UncompressedSize} bytes, beyond what a checkpoint pickle needs.");
        }

        byte[] bytes;
        if (entry.Method == ZipEntry.Deflated)
        {
            var inflated = StorageCopies.Inflate(_mapping, entry.DataOffset, entry.CompressedSize, entry.UncompressedSize, _path, entry.Name, cancellationToken);
            bytes = inflated.AsBytes().ToArray();
            inflated.Release();
        }
        else
        {
            bytes = new MappedBytes(_mapping, _path).Span(entry.DataOffset, entry.UncompressedSize, entry.Name).ToArray();
        }

        // The pickle is small and drives everything else: always check it.
        if (Crc32.Append(0, bytes) != entry.Crc32)
        {
            throw new CheckpointFormatException(_path, entry.Name, "the pickle record fails its CRC-32 check: the file is corrupted.");
        }

        return bytes;
    }

    private void VerifyChecksum(ZipEntry entry, TensorStorage storage, long offset)
    {
        if (StorageCopies.Checksum(storage, offset, entry.UncompressedSize) != entry.Crc32)
        {
            throw new CheckpointFormatException(_path, entry.Name, "the storage record fails its CRC-32 check: the file is corrupted.");
        }
    }
}
