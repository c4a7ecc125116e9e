namespace MiniGpt5.Tensors.Serialization;

/// <summary>Tells checkpoint formats apart by their magic bytes.</summary>
public static class CheckpointFormatDetector
{
    /// <summary>Detects the format of the file at <paramref name="path"/> from its first 512 bytes.</summary>
    public static CheckpointFileFormat Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        Span<byte> head = stackalloc byte[512];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head[..read]);
    }

    /// <summary>Detects the format from the first bytes of a file (512 are enough).</summary>
    public static CheckpointFileFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
        {
            return CheckpointFileFormat.TorchZip;
        }

        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return CheckpointFileFormat.TorchTar;
        }

        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5)
        {
            return CheckpointFileFormat.TorchLegacy;
        }

        // safetensors starts with the header length, then the header's opening brace. The length itself is
        // checked by the reader, which can then say precisely what is wrong with it.
        if (head.Length >= 9 && head[8] == '{')
        {
            return CheckpointFileFormat.Safetensors;
        }

        return CheckpointFileFormat.Unknown;
    }
}
