using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MiniGpt5.Text;

/// <summary>Tells tokenizer files apart by their content (not their names).</summary>
public static class TokenizerFiles
{
    /// <summary>The kinds this library reads, for error messages.</summary>
    public const string Accepted =
        "a SentencePiece tokenizer.model, a LLaMA-style tokenizer.json, a CLIP tokenizer folder (vocab.json + merges.txt), " +
        "or CLIP merges (bpe_simple_vocab_16e6.txt.gz or merges.txt)";

    /// <summary>
    /// Finds what <paramref name="path"/> holds. A folder is a CLIP folder when it has vocab.json and merges.txt;
    /// otherwise the tokenizer.model or tokenizer.json in it is examined. Throws <see cref="FileNotFoundException"/>
    /// for a missing path; returns <see cref="TokenizerFileKind.Unknown"/> for anything else.
    /// </summary>
    public static TokenizerFileKind Detect(string path) => Resolve(path).Kind;

    /// <summary>Like <see cref="Detect"/>, also returning the file to read (inside a folder, the one found there).</summary>
    public static (TokenizerFileKind Kind, string Path) Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            if (File.Exists(System.IO.Path.Combine(path, "vocab.json")) && File.Exists(System.IO.Path.Combine(path, "merges.txt")))
            {
                return (TokenizerFileKind.ClipFolder, path);
            }

            foreach (var name in new[] { "tokenizer.model", "tokenizer.json" })
            {
                var candidate = System.IO.Path.Combine(path, name);
                if (File.Exists(candidate))
                {
                    return (DetectFile(candidate), candidate);
                }
            }

            return (TokenizerFileKind.Unknown, path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer path '{path}' does not exist.", path);
        }

        return (DetectFile(path), path);
    }

    private static TokenizerFileKind DetectFile(string path)
    {
        var head = new byte[4096];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var bytes = head.AsSpan(0, read);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
        {
            return LooksLikeMerges(ReadGzipHead(path)) ? TokenizerFileKind.ClipMerges : TokenizerFileKind.Unknown;
        }

        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith('{'))
        {
            return LooksLikeHuggingFaceJson(path) ? TokenizerFileKind.HuggingFaceTokenizerJson : TokenizerFileKind.Unknown;
        }

        if (LooksLikeMerges(text))
        {
            return TokenizerFileKind.ClipMerges;
        }

        // ModelProto starts with field 1 (repeated SentencePiece pieces), wire type 2: tag byte 0x0A.
        return bytes.Length > 2 && bytes[0] == 0x0A ? TokenizerFileKind.SentencePieceModel : TokenizerFileKind.Unknown;
    }

    // merges.txt starts "#version: 0.2"; openai's gz starts "\"bpe_simple_vocab_16e6.txt#version: 0.2".
    private static bool LooksLikeMerges(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var firstLine = newline < 0 ? text : text[..newline];
        return firstLine.Contains("#version", StringComparison.Ordinal);
    }

    private static string ReadGzipHead(string path)
    {
        try
        {
            using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var buffer = new byte[64];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (InvalidDataException)
        {
            return string.Empty;
        }
    }

    private static bool LooksLikeHuggingFaceJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("model", out var model)
                && model.ValueKind == JsonValueKind.Object
                && model.TryGetProperty("vocab", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
