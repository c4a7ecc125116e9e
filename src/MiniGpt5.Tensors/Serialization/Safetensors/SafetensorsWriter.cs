using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>
/// Writes safetensors files the way the reference implementation does, byte for byte: tensors ordered by
/// descending dtype alignment then name, a compact JSON header with <c>__metadata__</c> first, padded with
/// spaces to a multiple of 8 so every tensor starts aligned. Data is streamed in chunks, so a checkpoint of
/// any size is written with a few MB of memory.
/// </summary>
public static class SafetensorsWriter
{
    private const int ChunkBytes = 4 << 20;

    /// <summary>The order the reference writer uses: larger dtypes first (alignment), then name by UTF-8 bytes.</summary>
    public static IReadOnlyList<SafetensorsWriteEntry> Order(IEnumerable<SafetensorsWriteEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (!names.Add(e.Name))
            {
                throw new ArgumentException($"Tensor '{e.Name}' appears twice.", nameof(entries));
            }
        }

        list.Sort((a, b) =>
        {
            var byDType = AlignmentRank(b.DType).CompareTo(AlignmentRank(a.DType));
            return byDType != 0 ? byDType : CompareUtf8(a.Name, b.Name);
        });
        return list;
    }

    /// <summary>The padded header (without the 8-byte length) for entries already in <see cref="Order"/>.</summary>
    public static byte[] BuildHeader(IReadOnlyList<SafetensorsWriteEntry> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        var json = new StringBuilder();
        json.Append('{');
        var first = true;
        if (metadata is { Count: > 0 })
        {
            json.Append("\"__metadata__\":{");
            var firstMeta = true;
            foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                json.Append(firstMeta ? string.Empty : ",");
                AppendString(json, key);
                json.Append(':');
                AppendString(json, value);
                firstMeta = false;
            }

            json.Append('}');
            first = false;
        }

        long offset = 0;
        foreach (var e in ordered)
        {
            json.Append(first ? string.Empty : ",");
            first = false;
            AppendString(json, e.Name);
            json.Append(":{\"dtype\":\"").Append(e.DType.SafetensorsName()).Append("\",\"shape\":[");
            json.AppendJoin(',', e.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += e.ByteLength;
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }

        json.Append('}');
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        var padded = new byte[(bytes.Length + 7) / 8 * 8];
        bytes.CopyTo(padded, 0);
        padded.AsSpan(bytes.Length).Fill((byte)' ');
        return padded;
    }

    /// <summary>Streams a safetensors file to <paramref name="destination"/>; <paramref name="progress"/> receives bytes of tensor data written so far.</summary>
    public static async Task WriteAsync(
        Stream destination,
        IEnumerable<SafetensorsWriteEntry> entries,
        IReadOnlyDictionary<string, string>? metadata = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var ordered = Order(entries);
        var header = BuildHeader(ordered, metadata);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        await destination.WriteAsync(length, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(header, cancellationToken).ConfigureAwait(false);

        var buffer = new byte[ChunkBytes];
        long written = 0;
        foreach (var entry in ordered)
        {
            // Chunks hold whole elements of every dtype (8 divides the chunk size).
            for (long done = 0; done < entry.ByteLength;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = (int)Math.Min(ChunkBytes, entry.ByteLength - done);
                entry.ReadData(done, buffer.AsSpan(0, n));
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                done += n;
                written += n;
                progress?.Report(written);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file in the same folder that is flushed to disk and
    /// then renamed over the target, so an interrupted run never leaves a half-written file under the final
    /// name. Refuses to replace an existing file unless <paramref name="overwrite"/> is set.
    /// </summary>
    public static async Task WriteFileAsync(
        string path,
        IEnumerable<SafetensorsWriteEntry> entries,
        IReadOnlyDictionary<string, string>? metadata = null,
        bool overwrite = false,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw new IOException($"'{full}' already exists; pass overwrite (--force) to replace it.");
        }

        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await WriteAsync(stream, entries, metadata, progress, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    // The reference's Dtype enum order (BOOL < U8 < I8 < F8 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64);
    // it sorts descending by it.
    private static int AlignmentRank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int8 => 2,
        DType.Int16 => 5,
        DType.Float16 => 7,
        DType.BFloat16 => 8,
        DType.Int32 => 9,
        DType.Float32 => 11,
        DType.Float64 => 12,
        DType.Int64 => 13,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    private static int CompareUtf8(string a, string b)
    {
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }

    // serde_json's escaping: quote, backslash and control characters; everything else verbatim UTF-8.
    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case '\n':
                    json.Append("\\n");
                    break;
                case '\r':
                    json.Append("\\r");
                    break;
                case '\t':
                    json.Append("\\t");
                    break;
                case '\b':
                    json.Append("\\b");
                    break;
                case '\f':
                    json.Append("\\f");
                    break;
                case < ' ':
                    json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    json.Append(c);
                    break;
            }
        }

        json.Append('"');
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the partial file has a name no reader will pick up.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
