using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace MiniGpt5.Tensors.Serialization.Safetensors;

/// <summary>
/// A parsed and validated safetensors header. The checks are those of the reference implementation, made
/// strict where it is lenient: an 8-byte little-endian length of at most 100 MB that fits in the file; UTF-8
/// JSON starting with '{' with no duplicate keys; known dtypes; non-negative integer shapes; data offsets
/// that, sorted, tile the data section from 0 to its end with no gap or overlap, each exactly
/// shape x dtype bytes long; and the file ending where the last tensor ends.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The largest header the reference implementation accepts.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private SafetensorsHeader(long headerLength, IReadOnlyList<SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        HeaderLength = headerLength;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Length of the JSON header (padding included), the u64 at the start of the file.</summary>
    public long HeaderLength { get; }

    /// <summary>Where the data section starts in the file: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataOffset => 8 + HeaderLength;

    /// <summary>Tensor entries ordered by data offset.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses and validates the header of a file of <paramref name="fileLength"/> bytes whose start is <paramref name="head"/>.</summary>
    /// <param name="head">At least the first 8 + header-length bytes of the file (or all of it if shorter).</param>
    /// <param name="fileLength">Total file size, to check the data section.</param>
    /// <param name="path">The file, for error messages.</param>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> head, long fileLength, string path)
    {
        if (fileLength < 8 || head.Length < 8)
        {
            throw Error(path, null, $"the file has {fileLength} bytes, too few for the 8-byte header length: it is truncated or not safetensors.");
        }

        var declared = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (declared > MaxHeaderLength)
        {
            throw Error(path, null, $"the header length {declared} is above the {MaxHeaderLength}-byte limit: the file is corrupted or not safetensors.");
        }

        var headerLength = (long)declared;
        if (headerLength > fileLength - 8)
        {
            throw Error(path, null, $"the header length {headerLength} runs past the end of the file ({fileLength} bytes): the file is truncated.");
        }

        if (head.Length < 8 + headerLength)
        {
            throw new ArgumentException($"Pass at least {8 + headerLength} bytes of the file.", nameof(head));
        }

        var json = head.Slice(8, (int)headerLength);
        if (!Utf8.IsValid(json))
        {
            throw Error(path, null, "the header is not valid UTF-8: the file is corrupted.");
        }

        if (json.Length == 0 || json[0] != (byte)'{')
        {
            throw Error(path, null, "the header does not start with '{': the file is corrupted or not safetensors.");
        }

        var (tensors, metadata) = ReadJson(json, path);
        var dataLength = fileLength - 8 - headerLength;
        Validate(tensors, dataLength, path);
        return new SafetensorsHeader(headerLength, tensors, metadata);
    }

    private static (List<SafetensorsTensorInfo> Tensors, Dictionary<string, string> Metadata) ReadJson(ReadOnlySpan<byte> json, string path)
    {
        var tensors = new List<SafetensorsTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        string? key = null;
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, path, null, "the header");
            while (Next(ref reader, path, key) != JsonTokenType.EndObject)
            {
                key = reader.GetString()!;
                if (!seen.Add(key))
                {
                    throw Error(path, key, "the header lists this key twice.");
                }

                if (key == "__metadata__")
                {
                    ReadMetadata(ref reader, metadata, path);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, key, path));
                }
            }

            if (reader.Read())
            {
                throw Error(path, null, "the header has data after its closing brace.");
            }
        }
        catch (JsonException e)
        {
            throw Error(path, key, $"the header is not valid JSON: {e.Message}", e);
        }

        return (tensors, metadata);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        var token = Next(ref reader, path, "__metadata__");
        if (token == JsonTokenType.Null)
        {
            return;
        }

        if (token != JsonTokenType.StartObject)
        {
            throw Error(path, "__metadata__", "must be an object of strings.");
        }

        while (Next(ref reader, path, "__metadata__") != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (Next(ref reader, path, "__metadata__") != JsonTokenType.String)
            {
                throw Error(path, "__metadata__", $"the value of '{name}' is not a string (safetensors metadata maps strings to strings).");
            }

            if (!metadata.TryAdd(name, reader.GetString()!))
            {
                throw Error(path, "__metadata__", $"'{name}' appears twice.");
            }
        }
    }

    private static SafetensorsTensorInfo ReadTensor(ref Utf8JsonReader reader, string name, string path)
    {
        if (Next(ref reader, path, name) != JsonTokenType.StartObject)
        {
            throw Error(path, name, "the entry is not an object with dtype, shape and data_offsets.");
        }

        string? dtypeName = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader, path, name) != JsonTokenType.EndObject)
        {
            var field = reader.GetString();
            switch (field)
            {
                case "dtype":
                    if (dtypeName is not null || Next(ref reader, path, name) != JsonTokenType.String)
                    {
                        throw Error(path, name, "'dtype' must appear once, as a string.");
                    }

                    dtypeName = reader.GetString()!;
                    break;
                case "shape":
                    if (shape is not null)
                    {
                        throw Error(path, name, "'shape' appears twice.");
                    }

                    shape = ReadIntegers(ref reader, path, name, "shape");
                    break;
                case "data_offsets":
                    if (offsets is not null)
                    {
                        throw Error(path, name, "'data_offsets' appears twice.");
                    }

                    offsets = ReadIntegers(ref reader, path, name, "data_offsets");
                    break;
                default:
                    // The reference implementation ignores fields it does not know; so do we.
                    Next(ref reader, path, name);
                    reader.Skip();
                    break;
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            throw Error(path, name, "the entry lacks " + (dtypeName is null ? "'dtype'" : shape is null ? "'shape'" : "'data_offsets'") + ".");
        }

        if (!DTypeInfo.TryParseSafetensorsName(dtypeName, out var dtype))
        {
            throw Error(path, name, $"dtype '{dtypeName}' is not supported (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).");
        }

        if (offsets.Length != 2)
        {
            throw Error(path, name, $"'data_offsets' must be [begin, end], not {offsets.Length} numbers.");
        }

        return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string path, string name, string field)
    {
        if (Next(ref reader, path, name) != JsonTokenType.StartArray)
        {
            throw Error(path, name, $"'{field}' must be an array of non-negative integers.");
        }

        var values = new List<long>();
        while (Next(ref reader, path, name) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
            {
                throw Error(path, name, $"'{field}' holds a value that is not a non-negative 64-bit integer.");
            }

            values.Add(value);
        }

        return [.. values];
    }

    private static void Validate(List<SafetensorsTensorInfo> tensors, long dataLength, string path)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var t in tensors)
        {
            if (t.End < t.Begin)
            {
                throw Error(path, t.Name, $"data_offsets [{t.Begin}, {t.End}] end before they begin.");
            }

            if (t.Begin != expectedBegin)
            {
                throw Error(path, t.Name, t.Begin < expectedBegin
                    ? $"data_offsets [{t.Begin}, {t.End}] overlap the previous tensor, which ends at {expectedBegin}."
                    : $"data_offsets [{t.Begin}, {t.End}] leave a gap after byte {expectedBegin}; safetensors data must be contiguous.");
            }

            long bytes;
            try
            {
                long count = 1;
                foreach (var d in t.Shape)
                {
                    count = checked(count * d);
                }

                bytes = checked(count * t.DType.SizeOf());
            }
            catch (OverflowException e)
            {
                throw Error(path, t.Name, $"shape {CheckpointTensor.FormatShape(t.Shape)} overflows 64-bit sizes.", e);
            }

            if (t.End - t.Begin != bytes)
            {
                throw Error(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] span {t.End - t.Begin} bytes but {t.DType.SafetensorsName()} {CheckpointTensor.FormatShape(t.Shape)} needs {bytes}.");
            }

            if (t.End > dataLength)
            {
                throw Error(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] run past the end of the data section ({dataLength} bytes): the file is truncated.");
            }

            expectedBegin = t.End;
        }

        if (expectedBegin != dataLength)
        {
            throw Error(path, null,
                $"the tensors cover {expectedBegin} bytes but the data section has {dataLength}: the file has trailing bytes or is corrupted.");
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path, string? key)
    {
        if (!reader.Read())
        {
            throw Error(path, key, "the header JSON ends early.");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string? key, string what)
    {
        if (Next(ref reader, path, key) != type)
        {
            throw Error(path, key, $"{what} must be a JSON object.");
        }
    }

    private static CheckpointFormatException Error(string path, string? key, string detail, Exception? inner = null) => new(path, key, detail, inner);
}
