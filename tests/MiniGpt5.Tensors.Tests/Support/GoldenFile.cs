using System.Buffers.Binary;
using System.Text.Json;
using MiniGpt5.Testing;

namespace MiniGpt5.Tensors.Tests.Support;

/// <summary>
/// A minimal safetensors reader for the goldens written by tools/reference/tensors_goldens.py (the engine's real
/// reader lives in MiniGpt5.Tensors.Serialization). Tensors are copied into native storage; dispose the file to
/// free them. Cases come from the "cases" entry of the header's __metadata__.
/// </summary>
internal sealed class GoldenFile : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
    private readonly Dictionary<string, Tensor> _tensors = [];

    private GoldenFile(string path, List<GoldenCase> cases)
    {
        Path = path;
        Cases = cases;
    }

    public string Path { get; }

    public IReadOnlyList<GoldenCase> Cases { get; }

    public static GoldenFile Load(string name)
    {
        var path = RepoPaths.GoldenFile("tensors", name);
        var bytes = File.ReadAllBytes(path);
        var headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var cases = JsonSerializer.Deserialize<List<GoldenCase>>(
            header.RootElement.GetProperty("__metadata__").GetProperty("cases").GetString()!,
            JsonOptions)!;
        var file = new GoldenFile(path, cases);
        var dataStart = 8 + headerLength;
        {
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    continue;
                }

                var dtypeName = entry.Value.GetProperty("dtype").GetString()!;
                if (!DTypeInfo.TryParseSafetensorsName(dtypeName, out var dtype))
                {
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has unknown dtype {dtypeName}.");
                }

                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var tensor = Tensor.FromArray<byte>(bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])), [(int)(offsets[1] - offsets[0])]);
                var storage = tensor.Storage;
                // Goldens outlive any scope a test opens; the file disposes them.
                file._tensors[entry.Name] = Tensor.FromStorage(storage, dtype, shape).DetachFromScope();
                tensor.Dispose();
            }
        }

        return file;
    }

    public Tensor this[GoldenCase testCase, string role] => Get($"{testCase.Name}.{role}");

    public bool Has(GoldenCase testCase, string role) => _tensors.ContainsKey($"{testCase.Name}.{role}");

    public Tensor Get(string key) =>
        _tensors.TryGetValue(key, out var tensor) ? tensor : throw new KeyNotFoundException($"{Path}: no tensor '{key}'.");

    /// <summary>Tensors of a case whose role starts with <paramref name="prefix"/>, keyed by the rest of the role.</summary>
    public Dictionary<string, Tensor> WithPrefix(GoldenCase testCase, string prefix)
    {
        var start = $"{testCase.Name}.{prefix}";
        return _tensors.Where(p => p.Key.StartsWith(start, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[start.Length..], p => p.Value);
    }

    public IEnumerable<GoldenCase> Op(string op) => Cases.Where(c => c.Op == op);

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }
    }
}

internal sealed record GoldenCase(string Name, string Op, Dictionary<string, JsonElement> Params)
{
    public double Double(string key) => Params[key].GetDouble();

    public int Int(string key) => Params[key].GetInt32();

    public bool Bool(string key) => Params.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.True;

    public string? String(string key) => Params.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public double? OptionalDouble(string key) =>
        Params.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    public int[] Ints(string key) => Params[key].EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>An int or an [h, w] pair.</summary>
    public (int H, int W) Pair(string key) =>
        Params[key].ValueKind == JsonValueKind.Array ? (Ints(key)[0], Ints(key)[1]) : (Int(key), Int(key));

    public override string ToString() => $"{Op}#{Name} {string.Join(", ", Params.Select(p => $"{p.Key}={p.Value}"))}";
}
