using System.Buffers.Binary;
using System.Text.Json;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>Reads tests/golden/checkpoints/expected.json (written by tools/reference/checkpoint_fixtures.py).</summary>
internal static class Golden
{
    private static readonly Lazy<JsonDocument> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(RepoPaths.GoldenFile("checkpoints", "expected.json"))));

    public static string Folder => RepoPaths.GoldenFile("checkpoints");

    public static string PathOf(string relative) => RepoPaths.GoldenFile("checkpoints", relative);

    public static IEnumerable<JsonElement> Fixtures(string kind) =>
        Manifest.Value.RootElement.GetProperty("fixtures").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == kind);

    /// <summary>xunit theory data: one row per fixture of <paramref name="kind"/>, identified by its index.</summary>
    public static TheoryData<int, string> Rows(string kind)
    {
        var data = new TheoryData<int, string>();
        var i = 0;
        foreach (var f in Manifest.Value.RootElement.GetProperty("fixtures").EnumerateArray())
        {
            if (f.GetProperty("kind").GetString() == kind)
            {
                data.Add(i, f.GetProperty("file").GetString()! + (f.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? $" --key {k.GetString()}" : string.Empty)
                    + (f.TryGetProperty("variant", out var v) ? $" variant {v.GetString()}" : string.Empty));
            }

            i++;
        }

        return data;
    }

    public static JsonElement Fixture(int index) => Manifest.Value.RootElement.GetProperty("fixtures")[index];

    public static JsonElement Root => Manifest.Value.RootElement;

    public static CheckpointOpenOptions OptionsFor(JsonElement fixture) => new()
    {
        StateDictKey = fixture.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
        Variant = fixture.TryGetProperty("variant", out var v) ? v.GetString() : null,
    };

    /// <summary>Checks dtype, shape and every value (bit-exact: JSON doubles hold f32/f16/bf16 values exactly).</summary>
    public static void AssertTensor(CheckpointTensor actual, JsonElement expected, bool checkLayout)
    {
        Assert.Equal(expected.GetProperty("dtype").GetString(), actual.DType.TorchName());
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), actual.Shape);
        if (checkLayout)
        {
            Assert.Equal(expected.GetProperty("strides").EnumerateArray().Select(e => e.GetInt64()), actual.Strides);
            Assert.Equal(expected.GetProperty("offset").GetInt64(), actual.ElementOffset);
        }

        AssertValues(actual, expected.GetProperty("values"));
    }

    public static void AssertValues(CheckpointTensor actual, JsonElement values)
    {
        var expected = values.EnumerateArray().ToList();
        Assert.Equal(expected.Count, actual.ElementCount);
        var bytes = new byte[actual.ByteLength];
        actual.CopyTo(bytes);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            switch (actual.DType)
            {
                case DType.Bool:
                    Assert.Equal(e.GetBoolean(), bytes[i] != 0);
                    break;
                case DType.Float32 or DType.Float16 or DType.BFloat16 or DType.Float64:
                    var value = ReadFloat(bytes, actual.DType, i);
                    // Exact equality, bit for bit (0.0 and -0.0 told apart).
                    Assert.True(BitConverter.DoubleToInt64Bits(e.GetDouble()) == BitConverter.DoubleToInt64Bits(value),
                        $"{actual.Name}[{i}]: expected {e.GetDouble():R}, got {value:R}");
                    break;
                default:
                    Assert.Equal(e.GetInt64(), ReadInteger(bytes, actual.DType, i));
                    break;
            }
        }
    }

    public static double ReadFloat(byte[] bytes, DType dtype, int i) => dtype switch
    {
        DType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)),
        DType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8)),
        DType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2)),
        DType.BFloat16 => FloatConversion.BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2))),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static long ReadInteger(byte[] bytes, DType dtype, int i) => dtype switch
    {
        DType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8)),
        DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4)),
        DType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i * 2)),
        DType.Int8 => (sbyte)bytes[i],
        DType.UInt8 => bytes[i],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
