using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

/// <summary>
/// Whole blocks of the networks MiniGPT-5 runs, composed from the engine's ops exactly as the published PyTorch code
/// composes them, against the same blocks run in PyTorch with random weights (tools/reference/tensors_goldens.py).
/// </summary>
public sealed class BlockGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("blocks.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Llama_decoder_layer_matches_transformers(string backend)
    {
        // Tolerance: float32 1e-5 of the output scale. bfloat16: 2e-2 of the scale, since PyTorch rounds every
        // intermediate (scores, probabilities) to bfloat16 while the engine's attention keeps them in float32.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("llama_layer"))
        {
            using var scope = TensorScope.Enter();
            var p = _golden.WithPrefix(c, "p.");
            var actual = LlamaLayer(p, _golden[c, "x"], _golden[c, "pos"], c.Int("heads"), c.Double("eps"), cache: null, start: 0);
            var tolerance = c.String("dtype") == "bfloat16" ? 2e-2 : 1e-5;
            TensorAssert.CloseToScale(_golden[c, "out"], actual, tolerance, c.ToString());
        }
    }

    [Fact]
    public void Llama_layer_with_a_kv_cache_matches_the_full_sequence()
    {
        // Prefill 5 tokens, then decode 2 one by one from a preallocated cache: rows must equal the 7-token pass.
        // Tolerance 1e-5 of the scale (float32, different summation blocks).
        var c = _golden.Op("llama_layer").First(c => c.String("dtype") == "float32");
        using var scope = TensorScope.Enter();
        var p = _golden.WithPrefix(c, "p.");
        var x = _golden[c, "x"];
        var heads = c.Int("heads");
        var (b, t, width) = (x.Size(0), x.Size(1), x.Size(2));
        var cache = new KvCache(Tensor.Zeros([b, heads, 16, width / heads]), Tensor.Zeros([b, heads, 16, width / heads]));
        var prefill = LlamaLayer(p, x.Narrow(1, 0, 5), Tensor.Arange(5), heads, c.Double("eps"), cache, start: 0);
        var step5 = LlamaLayer(p, x.Narrow(1, 5, 1), Tensor.FromArray<long>([5], [1]), heads, c.Double("eps"), cache, start: 5);
        var step6 = LlamaLayer(p, x.Narrow(1, 6, 1), Tensor.FromArray<long>([6], [1]), heads, c.Double("eps"), cache, start: 6);
        var joined = Ops.Cat([prefill, step5, step6], 1);
        TensorAssert.CloseToScale(_golden[c, "out"], joined, 1e-5, "prefill + decode with KV cache");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Sd_resnet_block_matches_diffusers(string backend)
    {
        // Tolerance: 1e-5 of the output scale (float32).
        using var kernels = Kernels.Use(backend);
        var c = _golden.Op("resnet_block").Single();
        using var scope = TensorScope.Enter();
        var actual = ResnetBlock(_golden.WithPrefix(c, "p."), _golden[c, "x"], _golden[c, "temb"], c.Int("groups"), c.Double("eps"));
        TensorAssert.CloseToScale(_golden[c, "out"], actual, 1e-5, c.ToString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Spatial_transformer_with_linear_projection_matches_diffusers(string backend)
    {
        // Tolerance: 1e-5 of the output scale (float32).
        using var kernels = Kernels.Use(backend);
        var c = _golden.Op("spatial_transformer").Single();
        using var scope = TensorScope.Enter();
        var p = _golden.WithPrefix(c, "p.");
        var x = _golden[c, "x"];
        var heads = c.Int("heads");
        var (b, channels, height, width) = (x.Size(0), x.Size(1), x.Size(2), x.Size(3));

        var h = Ops.GroupNorm(x, 32, p["norm.weight"], p["norm.bias"], 1e-6);
        h = h.Permute(0, 2, 3, 1).Reshape(b, height * width, channels); // [B, HW, C]
        h = Ops.Linear(h, p["proj_in.weight"], p["proj_in.bias"]);
        h = DiffusersAttention(LayerNorm(p, "block.norm1", h), null, p, "block.attn1.", heads) + h;
        h = DiffusersAttention(LayerNorm(p, "block.norm2", h), _golden[c, "context"], p, "block.attn2.", heads) + h;
        var projected = Ops.Linear(LayerNorm(p, "block.norm3", h), p["block.ff.net.0.proj.weight"], p["block.ff.net.0.proj.bias"]);
        var halves = Ops.Chunk(projected, 2, -1); // GEGLU: hidden, gate
        h = Ops.Linear(halves[0] * Ops.Gelu(halves[1]), p["block.ff.net.2.weight"], p["block.ff.net.2.bias"]) + h;
        h = Ops.Linear(h, p["proj_out.weight"], p["proj_out.bias"]);
        var output = h.Reshape(b, height, width, channels).Permute(0, 3, 1, 2) + x;
        TensorAssert.CloseToScale(_golden[c, "out"], output, 1e-5, c.ToString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Vae_mid_block_matches_diffusers(string backend)
    {
        // Tolerance: 1e-5 of the output scale (float32).
        using var kernels = Kernels.Use(backend);
        var c = _golden.Op("vae_mid_block").Single();
        using var scope = TensorScope.Enter();
        var p = _golden.WithPrefix(c, "p.");
        var h = ResnetBlock(WithPrefix(p, "resnets.0."), _golden[c, "x"], null, 32, 1e-6);
        var (b, channels, height, width) = (h.Size(0), h.Size(1), h.Size(2), h.Size(3));
        var a = Ops.GroupNorm(h, 32, p["attentions.0.group_norm.weight"], p["attentions.0.group_norm.bias"], 1e-6);
        a = a.View(b, channels, height * width).Transpose(1, 2); // [B, HW, C]
        var q = Ops.Linear(a, p["attentions.0.to_q.weight"], p["attentions.0.to_q.bias"]);
        var k = Ops.Linear(a, p["attentions.0.to_k.weight"], p["attentions.0.to_k.bias"]);
        var v = Ops.Linear(a, p["attentions.0.to_v.weight"], p["attentions.0.to_v.bias"]);
        a = Ops.Linear(Ops.ScaledDotProductAttention(q, k, v), p["attentions.0.to_out.0.weight"], p["attentions.0.to_out.0.bias"]);
        h = a.Transpose(1, 2).Reshape(b, channels, height, width) + h;
        var output = ResnetBlock(WithPrefix(p, "resnets.1."), h, null, 32, 1e-6);
        TensorAssert.CloseToScale(_golden[c, "out"], output, 1e-5, c.ToString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Pre_norm_transformer_decoder_layer_matches_torch_nn(string backend)
    {
        // Tolerance: 1e-5 of the output scale (float32).
        using var kernels = Kernels.Use(backend);
        var c = _golden.Op("transformer_decoder_layer").Single();
        using var scope = TensorScope.Enter();
        var p = _golden.WithPrefix(c, "p.");
        var heads = c.Int("heads");
        var eps = c.Double("eps");
        var memory = _golden[c, "memory"];
        var x = _golden[c, "tgt"];
        Tensor Norm(string name, Tensor y) => Ops.LayerNorm(y, [y.Size(-1)], p[name + ".weight"], p[name + ".bias"], eps);
        var h = Norm("norm1", x);
        x = x + MultiheadAttention(h, h, p, "self_attn.", heads);
        x = x + MultiheadAttention(Norm("norm2", x), memory, p, "multihead_attn.", heads);
        var ff = Ops.Linear(Ops.Relu(Ops.Linear(Norm("norm3", x), p["linear1.weight"], p["linear1.bias"])), p["linear2.weight"], p["linear2.bias"]);
        x = x + ff;
        TensorAssert.CloseToScale(_golden[c, "out"], x, 1e-5, c.ToString());
    }

    private sealed record KvCache(Tensor Keys, Tensor Values);

    /// <summary>transformers 4.31 LlamaDecoderLayer. With a cache, the new keys/values are written at
    /// <paramref name="start"/> and attention reads the cache up to start + T with a lower-right causal mask.</summary>
    private static Tensor LlamaLayer(Dictionary<string, Tensor> p, Tensor x, Tensor positions, int heads, double eps, KvCache? cache, int start)
    {
        using var scope = TensorScope.Enter();
        var (b, t, width) = (x.Size(0), x.Size(1), x.Size(2));
        var d = width / heads;
        var h = Ops.RmsNorm(x, p["input_layernorm"], eps);
        var q = Ops.Rope(Ops.Linear(h, p["q_proj"]).View(b, t, heads, d).Transpose(1, 2), positions); // [B, H, T, d]
        var k = Ops.Rope(Ops.Linear(h, p["k_proj"]).View(b, t, heads, d).Transpose(1, 2), positions);
        var v = Ops.Linear(h, p["v_proj"]).View(b, t, heads, d).Transpose(1, 2);
        if (cache is not null)
        {
            Ops.CopyInto(cache.Keys.Narrow(2, start, t), k);
            Ops.CopyInto(cache.Values.Narrow(2, start, t), v);
            k = cache.Keys.Narrow(2, 0, start + t);
            v = cache.Values.Narrow(2, 0, start + t);
        }

        var attention = Ops.ScaledDotProductAttention(q, k, v, isCausal: true, causalVariant: CausalVariant.LowerRight);
        x = x + Ops.Linear(attention.Transpose(1, 2).Reshape(b, t, width), p["o_proj"]);
        h = Ops.RmsNorm(x, p["post_attention_layernorm"], eps);
        var mlp = Ops.Linear(Ops.Silu(Ops.Linear(h, p["gate_proj"])) * Ops.Linear(h, p["up_proj"]), p["down_proj"]);
        return (x + mlp).MoveToOuterScope();
    }

    /// <summary>diffusers ResnetBlock2D.</summary>
    private static Tensor ResnetBlock(Dictionary<string, Tensor> p, Tensor x, Tensor? temb, int groups, double eps)
    {
        using var scope = TensorScope.Enter();
        var h = Ops.Silu(Ops.GroupNorm(x, groups, p["norm1.weight"], p["norm1.bias"], eps));
        h = Ops.Conv2d(h, p["conv1.weight"], p["conv1.bias"], padding: 1);
        if (temb is not null)
        {
            var t = Ops.Linear(Ops.Silu(temb), p["time_emb_proj.weight"], p["time_emb_proj.bias"]); // [B, C]
            h = h + t.View(t.Size(0), t.Size(1), 1, 1);
        }

        h = Ops.Silu(Ops.GroupNorm(h, groups, p["norm2.weight"], p["norm2.bias"], eps));
        h = Ops.Conv2d(h, p["conv2.weight"], p["conv2.bias"], padding: 1);
        var shortcut = p.TryGetValue("conv_shortcut.weight", out var w) ? Ops.Conv2d(x, w, p["conv_shortcut.bias"]) : x;
        return (shortcut + h).MoveToOuterScope();
    }

    /// <summary>diffusers Attention with AttnProcessor (no bias on q/k/v).</summary>
    private static Tensor DiffusersAttention(Tensor x, Tensor? context, Dictionary<string, Tensor> p, string prefix, int heads)
    {
        using var scope = TensorScope.Enter();
        context ??= x;
        var q = Ops.Linear(x, p[prefix + "to_q.weight"]);
        var k = Ops.Linear(context, p[prefix + "to_k.weight"]);
        var v = Ops.Linear(context, p[prefix + "to_v.weight"]);
        var (b, t, inner) = (q.Size(0), q.Size(1), q.Size(2));
        var d = inner / heads;
        Tensor Heads(Tensor y) => y.View(b, -1, heads, d).Transpose(1, 2); // [B, heads, T, d]
        var attention = Ops.ScaledDotProductAttention(Heads(q), Heads(k), Heads(v)).Transpose(1, 2).Reshape(b, t, inner);
        return Ops.Linear(attention, p[prefix + "to_out.0.weight"], p[prefix + "to_out.0.bias"]).MoveToOuterScope();
    }

    /// <summary>torch.nn.MultiheadAttention (batch_first, packed in_proj).</summary>
    private static Tensor MultiheadAttention(Tensor query, Tensor keyValue, Dictionary<string, Tensor> p, string prefix, int heads)
    {
        using var scope = TensorScope.Enter();
        var width = query.Size(-1);
        var weights = Ops.Chunk(p[prefix + "in_proj_weight"], 3, 0); // Wq; Wk; Wv, each [E, E]
        var biases = Ops.Chunk(p[prefix + "in_proj_bias"], 3, 0);
        var d = width / heads;
        Tensor Heads(Tensor y) => y.View(y.Size(0), y.Size(1), heads, d).Transpose(1, 2);
        var q = Heads(Ops.Linear(query, weights[0], biases[0]));
        var k = Heads(Ops.Linear(keyValue, weights[1], biases[1]));
        var v = Heads(Ops.Linear(keyValue, weights[2], biases[2]));
        var attention = Ops.ScaledDotProductAttention(q, k, v).Transpose(1, 2).Reshape(query.Size(0), query.Size(1), width);
        return Ops.Linear(attention, p[prefix + "out_proj.weight"], p[prefix + "out_proj.bias"]).MoveToOuterScope();
    }

    private static Tensor LayerNorm(Dictionary<string, Tensor> p, string name, Tensor x) =>
        Ops.LayerNorm(x, [x.Size(-1)], p[name + ".weight"], p[name + ".bias"], 1e-5);

    private static Dictionary<string, Tensor> WithPrefix(Dictionary<string, Tensor> p, string prefix) =>
        p.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);
}
