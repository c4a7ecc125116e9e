using System.Buffers.Binary;
using System.Text.Json.Nodes;
using MiniGpt5.Models.Llama;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// A Hugging Face LLaMA folder (config.json + model.safetensors, bf16) with random weights, written once for a
/// benchmark so that our engine and PyTorch read the very same bytes. Values are streamed to the file from a
/// counter-based generator (no full copy in memory): projections uniform with standard deviation 0.02 (the HF
/// initializer's scale), norm weights 1.
/// </summary>
internal static class RandomLlamaFolder
{
    private const double Std = 0.02;

    /// <summary>Writes the folder (created if needed) and returns the bytes of its weight file.</summary>
    public static async Task<long> WriteAsync(string folder, LlamaConfig config, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        // Untied embeddings whatever the config says: the weights below write a separate lm_head.
        var json = (config with { TieWordEmbeddings = false }).ToJson(bosTokenId: 1, eosTokenId: 2, torchDType: "bfloat16");
        await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), json.ToJsonString(), cancellationToken);

        var entries = new List<SafetensorsWriteEntry>();
        ulong stream = 1;
        void Add(string name, long rows, long columns, bool ones)
        {
            var seed = stream++;
            entries.Add(new SafetensorsWriteEntry(
                name, DType.BFloat16, columns == 0 ? [rows] : [rows, columns], (offset, destination) => Fill(seed, offset / 2, destination, ones)));
        }

        int h = config.HiddenSize, kv = config.NumKeyValueHeads * config.HeadDim, q = config.NumHeads * config.HeadDim;
        Add("model.embed_tokens.weight", config.VocabSize, h, ones: false);
        for (var layer = 0; layer < config.NumLayers; layer++)
        {
            var p = $"model.layers.{layer}.";
            Add(p + "self_attn.q_proj.weight", q, h, ones: false);
            Add(p + "self_attn.k_proj.weight", kv, h, ones: false);
            Add(p + "self_attn.v_proj.weight", kv, h, ones: false);
            Add(p + "self_attn.o_proj.weight", h, q, ones: false);
            Add(p + "mlp.gate_proj.weight", config.IntermediateSize, h, ones: false);
            Add(p + "mlp.up_proj.weight", config.IntermediateSize, h, ones: false);
            Add(p + "mlp.down_proj.weight", h, config.IntermediateSize, ones: false);
            Add(p + "input_layernorm.weight", h, 0, ones: true);
            Add(p + "post_attention_layernorm.weight", h, 0, ones: true);
        }

        Add("model.norm.weight", h, 0, ones: true);
        Add("lm_head.weight", config.VocabSize, h, ones: false);
        var path = Path.Combine(folder, "model.safetensors");
        await SafetensorsWriter.WriteFileAsync(path, entries, new Dictionary<string, string> { ["format"] = "pt" }, overwrite: true, cancellationToken: cancellationToken);
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Bytes of weights one decode step reads: every layer's projections and the LM head (one embedding row and the
    /// norm vectors are negligible; so is the KV cache at benchmark lengths).
    /// </summary>
    public static long DecodeWeightBytes(LlamaConfig config)
    {
        long h = config.HiddenSize, kv = (long)config.NumKeyValueHeads * config.HeadDim, q = (long)config.NumHeads * config.HeadDim;
        var perLayer = (h * q) + (2 * h * kv) + (q * h) + (3 * h * config.IntermediateSize);
        return 2 * ((config.NumLayers * perLayer) + ((long)config.VocabSize * h));
    }

    /// <summary>Elements from <paramref name="element"/> on, as little-endian bf16 (round to nearest even).</summary>
    private static void Fill(ulong seed, long element, Span<byte> destination, bool ones)
    {
        const ushort One = 0x3F80;
        var scale = (float)(Std * Math.Sqrt(3.0));
        for (var i = 0; i + 1 < destination.Length; i += 2, element++)
        {
            ushort bits;
            if (ones)
            {
                bits = One;
            }
            else
            {
                // SplitMix64 of (stream, index): uniform in [-scale, scale).
                var z = (seed * 0x9E3779B97F4A7C15UL) + ((ulong)element * 0xBF58476D1CE4E5B9UL) + 0x94D049BB133111EBUL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                var value = (((z >> 40) * (1.0f / (1 << 24))) * 2 - 1) * scale;
                var f = BitConverter.SingleToUInt32Bits(value);
                bits = (ushort)((f + 0x7FFF + ((f >> 16) & 1)) >> 16);
            }

            BinaryPrimitives.WriteUInt16LittleEndian(destination[i..], bits);
        }
    }
}
