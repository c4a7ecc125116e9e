namespace MiniGpt5.Tensors.Serialization;

/// <summary>What a checkpoint file is, judged by its first bytes rather than its extension.</summary>
public enum CheckpointFileFormat
{
    /// <summary>Not a format this reader knows.</summary>
    Unknown,

    /// <summary>safetensors: an 8-byte header length, a JSON header, the raw data.</summary>
    Safetensors,

    /// <summary>torch.save since PyTorch 1.6: a zip with data.pkl and one record per storage.</summary>
    TorchZip,

    /// <summary>torch.save before 1.6 (or with _use_new_zipfile_serialization=False): pickles followed by raw storages.</summary>
    TorchLegacy,

    /// <summary>The tar layout of PyTorch before 0.4; not supported.</summary>
    TorchTar,
}
