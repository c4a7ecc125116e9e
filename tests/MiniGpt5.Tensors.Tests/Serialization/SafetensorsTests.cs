using System.Buffers.Binary;
using System.Text;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Tensors.Tests.Serialization;

public sealed class SafetensorsTests
{
    [Fact]
    public async Task Writer_reproduces_the_reference_writer_byte_for_byte()
    {
        // handmade.safetensors was laid out by the fixture script exactly as huggingface/safetensors writes:
        // dtype-descending order, compact JSON with __metadata__ first, space padding to 8 bytes.
        var path = Golden.PathOf("handmade.safetensors");
        using var file = SafetensorsFile.Open(path);
        using var buffer = new MemoryStream();

        await SafetensorsWriter.WriteAsync(buffer, file.Tensors.Values.Select(t => SafetensorsWriteEntry.FromTensor(t)), file.Metadata);

        Assert.Equal(File.ReadAllBytes(path), buffer.ToArray());
    }

    [Fact]
    public async Task Written_files_round_trip_every_dtype_and_keep_tensors_aligned()
    {
        using var temp = new TempFolder();
        var entries = new List<SafetensorsWriteEntry>();
        var rng = new Random(3);
        foreach (var dtype in Enum.GetValues<DType>())
        {
            var shape = new long[] { 3, 5 };
            var bytes = new byte[15 * dtype.SizeOf()];
            rng.NextBytes(bytes);
            if (dtype == DType.Bool)
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] &= 1;
                }
            }

            entries.Add(SafetensorsWriteEntry.FromBytes($"t.{dtype}", dtype, shape, bytes));
        }

        entries.Add(SafetensorsWriteEntry.FromBytes("scalar", DType.Float32, [], BitConverter.GetBytes(1.5f)));
        entries.Add(SafetensorsWriteEntry.FromBytes("empty", DType.Float16, [0, 7], Array.Empty<byte>()));
        var path = temp.File("all.safetensors");
        await SafetensorsWriter.WriteFileAsync(path, entries, new Dictionary<string, string> { ["format"] = "pt", ["odd \"key\"\n"] = "välue" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(0, file.Header.DataOffset % 8);
        Assert.Equal("välue", file.Metadata["odd \"key\"\n"]);
        foreach (var entry in entries)
        {
            var tensor = file.Tensors[entry.Name];
            Assert.Equal(entry.DType, tensor.DType);
            Assert.Equal(entry.Shape, tensor.Shape);
            Assert.Equal(0, (tensor.Storage.Pointer + (nint)tensor.ByteOffset) % tensor.DType.SizeOf());
            var expected = new byte[entry.ByteLength];
            entry.ReadData(0, expected);
            Assert.Equal(expected, tensor.GetContiguousBytes().ToArray());
        }

        Assert.Single(file.Tensors.Values.Select(t => t.Storage).Distinct());
        Assert.Empty(Directory.GetFiles(temp.Path, "*.partial"));
    }

    [Fact]
    public void An_unpadded_header_still_yields_aligned_tensors()
    {
        using var file = SafetensorsFile.Open(Golden.PathOf("unpadded.safetensors"));
        var x = file.Tensors["x"];
        Assert.NotEqual(0, file.Header.DataOffset % 4);
        Assert.Equal(0, (x.Storage.Pointer + (nint)x.ByteOffset) % 4);
        Assert.Equal([0f, 1, 2, 3, 4], x.ToArray<float>());
    }

    public static TheoryData<string, string, string?> BadHeaders => new()
    {
        { "not valid UTF-8", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"\u00ff\":1}", null },
        { "does not start with '{'", " {}", null },
        { "not valid JSON", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "a" },
        { "twice", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "a" },
        { "dtype 'F8_E4M3' is not supported", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", "a" },
        { "non-negative", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "a" },
        { "non-negative", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "a" },
        { "lacks 'data_offsets'", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "a" },
        { "[begin, end]", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", "a" },
        { "needs 8", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "a" },
        { "overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", "b" },
        { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "a" },
        { "end before they begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", "a" },
        { "trailing bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", null },
        { "run past the end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "a" },
        { "overflows", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "a" },
        { "is not a string", "{\"__metadata__\":{\"n\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "__metadata__" },
        { "object of strings", "{\"__metadata__\":[],\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "__metadata__" },
        { "'dtype' must appear once", "{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", "a" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Invalid_headers_fail_naming_the_file_and_key(string expectedText, string header, string? key)
    {
        using var temp = new TempFolder();
        var path = temp.File("bad.safetensors");
        var json = header.Contains('\u00ff', StringComparison.Ordinal)
            ? Encoding.Latin1.GetBytes(header)
            : Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));

        Assert.True(error.Message.Contains(expectedText, StringComparison.Ordinal), error.Message);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(key, error.Key);
    }

    [Theory]
    [InlineData(0UL, "does not start with '{'")]
    [InlineData(100_000_001UL, "above the 100000000-byte limit")]
    [InlineData(1UL << 62, "above the 100000000-byte limit")]
    [InlineData(4096UL, "runs past the end of the file")]
    public void Header_lengths_are_checked_before_anything_is_read(ulong declared, string expectedText)
    {
        using var temp = new TempFolder();
        var path = temp.File("len.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_and_tiny_files_are_reported_not_crashed_on()
    {
        using var temp = new TempFolder();
        var empty = temp.File("empty.safetensors");
        File.WriteAllBytes(empty, []);
        var tiny = temp.File("tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);

        Assert.Contains("empty", Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(empty)).Message, StringComparison.Ordinal);
        Assert.Contains("too few", Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(tiny)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_in_an_entry_are_ignored_like_the_reference_reader()
    {
        using var temp = new TempFolder();
        var path = temp.File("extra.safetensors");
        var json = Encoding.UTF8.GetBytes("{\"a\":{\"future\":{\"x\":[1,2]},\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        var file = new byte[8 + json.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8 + json.Length), -7);
        File.WriteAllBytes(path, file);

        using var st = SafetensorsFile.Open(path);
        Assert.Equal([-7], st.Tensors["a"].ToArray<int>());
    }

    [Fact]
    public void Writer_refuses_bad_entries()
    {
        Assert.Throws<ArgumentException>(() => SafetensorsWriteEntry.FromBytes("__metadata__", DType.Float32, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => SafetensorsWriteEntry.FromBytes("a", DType.Float32, [2], new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafetensorsWriteEntry.FromBytes("a", DType.Float32, [-1], new byte[4]));
        var a = SafetensorsWriteEntry.FromBytes("a", DType.Float32, [1], new byte[4]);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Order([a, a]));
    }
}
