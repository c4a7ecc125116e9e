using System.IO.Compression;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>Helpers that turn a record of a mapped file into storage: in place, copied, inflated or byte-swapped.</summary>
internal static unsafe class StorageCopies
{
    /// <summary>Views the bytes in place when they are aligned for the element size, else copies them.</summary>
    public static TensorStorage ViewOrCopy(TensorStorage mapping, long offset, long length, int elementSize)
    {
        if (((long)mapping.Pointer + offset) % elementSize == 0)
        {
            return new StorageSlice(mapping, offset, length);
        }

        var copy = new NativeStorage(length, zero: false);
        Buffer.MemoryCopy((byte*)mapping.Pointer + offset, (void*)copy.Pointer, length, length);
        return copy;
    }

    /// <summary>Copies the bytes reversing each element's byte order (big-endian records).</summary>
    public static TensorStorage CopySwapped(TensorStorage mapping, long offset, long length, int elementSize)
    {
        var copy = new NativeStorage(length, zero: false);
        var from = (byte*)mapping.Pointer + offset;
        var to = (byte*)copy.Pointer;
        for (long i = 0; i < length; i += elementSize)
        {
            for (var b = 0; b < elementSize; b++)
            {
                to[i + b] = from[i + elementSize - 1 - b];
            }
        }

        return copy;
    }

    /// <summary>Reverses each element's byte order in place.</summary>
    public static void SwapInPlace(TensorStorage storage, int elementSize)
    {
        var p = (byte*)storage.Pointer;
        for (long i = 0; i + elementSize <= storage.ByteLength; i += elementSize)
        {
            for (var b = 0; b < elementSize / 2; b++)
            {
                (p[i + b], p[i + elementSize - 1 - b]) = (p[i + elementSize - 1 - b], p[i + b]);
            }
        }
    }

    /// <summary>Inflates a deflated record into new host memory of exactly <paramref name="uncompressedLength"/> bytes.</summary>
    public static NativeStorage Inflate(TensorStorage mapping, long offset, long compressedLength, long uncompressedLength, string path, string entry, CancellationToken cancellationToken)
    {
        var target = new NativeStorage(uncompressedLength, zero: false);
        try
        {
            using var raw = new UnmanagedMemoryStream((byte*)mapping.Pointer + offset, compressedLength);
            using var inflater = new DeflateStream(raw, CompressionMode.Decompress);
            long done = 0;
            while (done < uncompressedLength)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = (int)Math.Min(1 << 24, uncompressedLength - done);
                var read = inflater.ReadAtLeast(new Span<byte>((byte*)target.Pointer + done, chunk), chunk, throwOnEndOfStream: false);
                if (read < chunk)
                {
                    throw new CheckpointFormatException(path, entry, $"the deflated record ends after {done + read} of {uncompressedLength} bytes.");
                }

                done += read;
            }

            return target;
        }
        catch (InvalidDataException e)
        {
            target.Release();
            throw new CheckpointFormatException(path, entry, $"the deflated record is corrupted: {e.Message}", e);
        }
        catch
        {
            target.Release();
            throw;
        }
    }

    /// <summary>CRC-32 of a region of any size.</summary>
    public static uint Checksum(TensorStorage storage, long offset, long length)
    {
        uint crc = 0;
        var p = (byte*)storage.Pointer + offset;
        while (length > 0)
        {
            var chunk = (int)Math.Min(1 << 30, length);
            crc = Crc32.Append(crc, new ReadOnlySpan<byte>(p, chunk));
            p += chunk;
            length -= chunk;
        }

        return crc;
    }
}
