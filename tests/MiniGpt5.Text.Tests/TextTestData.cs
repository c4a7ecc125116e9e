using System.Text.Json;
using System.Text.Json.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Text.Tests;

/// <summary>Paths of the committed test models and the golden files written by tools/reference/text_goldens.py.</summary>
internal static class TextTestData
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static string DataFile(params string[] parts)
    {
        var path = Path.Combine([RepoPaths.RepoRoot, "tests", "data", "text", .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Test data '{path}' is missing; regenerate it with tools/reference/text_goldens.py.", path);
        }

        return path;
    }

    public static string RepoFile(string relative) => Path.Combine(RepoPaths.RepoRoot, relative);

    public static T Golden<T>(string name)
    {
        var path = RepoPaths.GoldenFile("text", name);
        return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"Golden file '{path}' is empty.");
    }
}

internal sealed record SentencePieceGolden(string Model, SentencePieceCase[] Cases);

internal sealed record SentencePieceCase(string Text, int[] Ids, string[] Pieces, int[][] Offsets, string Decoded, bool Bos);

internal sealed record DecodeGolden(DecodeCase[] Cases);

internal sealed record DecodeCase(int[] Ids, string Decoded);

internal sealed record MiniGpt5Golden(string Model, [property: JsonPropertyName("added_tokens")] string[] AddedTokens, MiniGpt5Case[] Cases);

internal sealed record MiniGpt5Case(
    string Text,
    int[] Ids,
    string Decoded,
    [property: JsonPropertyName("decoded_skip_special")] string? DecodedSkipSpecial);

internal sealed record ClipHfGolden(string Folder, ClipHfCase[] Cases);

internal sealed record ClipHfCase(
    string Text,
    string[] Tokens,
    int[] Ids,
    [property: JsonPropertyName("input_ids")] int[] InputIds,
    [property: JsonPropertyName("attention_mask")] int[] AttentionMask,
    string Decoded,
    [property: JsonPropertyName("decoded_raw")] string DecodedRaw);

internal sealed record ClipOpenAiGolden(string Bpe, ClipOpenAiCase[] Cases);

internal sealed record ClipOpenAiCase(
    string Text,
    int[] Ids,
    [property: JsonPropertyName("input_ids")] int[] InputIds,
    string? Decoded);

internal sealed record PythonFacts(
    int[] Isspace,
    JsonElement[][] Lower,
    string[][] Nfc,
    string[][] Unescape);
