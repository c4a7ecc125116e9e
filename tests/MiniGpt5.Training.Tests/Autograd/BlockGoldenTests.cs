using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>
/// Whole blocks against PyTorch autograd (tools/reference/training_goldens.py, blocks.safetensors): the blocks are
/// written here with engine ops exactly as the published architectures compute them, run under a gradient tape with
/// the upstream gradient torch used, and every input and parameter gradient is compared. Tolerance: float32 with
/// different summation orders, max |Δ| ≤ 1e-4·max|expected| + 1e-5.
/// </summary>
public sealed class BlockGoldenTests
{
    private const double Rtol = 1e-4;
    private const double Atol = 1e-5;

    [Fact]
    public void Llama_decoder_layer_gradients_match_pytorch() => Check("llama_layer", ["x"], (p, i, c) =>
    {
        var heads = c.Int("heads");
        var eps = c.Double("eps");
        var x = i["x"];
        int b = x.Shape[0], t = x.Shape[1], ch = x.Shape[2], d = ch / heads;
        var positions = i["pos"];
        var h = Ops.RmsNorm(x, p["input_layernorm.weight"], eps);
        Tensor Heads(string name) => Ops.Linear(h, p[name]).View(b, t, heads, d).Transpose(1, 2);
        var q = Ops.Rope(Heads("self_attn.q_proj.weight"), positions);
        var k = Ops.Rope(Heads("self_attn.k_proj.weight"), positions);
        var v = Heads("self_attn.v_proj.weight");
        var attention = Ops.ScaledDotProductAttention(q, k, v, isCausal: true).Transpose(1, 2).Reshape(b, t, ch);
        var hidden = x + Ops.Linear(attention, p["self_attn.o_proj.weight"]);
        var normed = Ops.RmsNorm(hidden, p["post_attention_layernorm.weight"], eps);
        var mlp = Ops.Linear(Ops.Silu(Ops.Linear(normed, p["mlp.gate_proj.weight"])) * Ops.Linear(normed, p["mlp.up_proj.weight"]), p["mlp.down_proj.weight"]);
        return hidden + mlp;
    });

    [Fact]
    public void Unet_resnet_block_gradients_match_pytorch() => Check("resnet_block", ["x", "temb"], (p, i, c) =>
    {
        var groups = c.Int("groups");
        var eps = c.Double("eps");
        var x = i["x"];
        var h = Ops.Silu(Ops.GroupNorm(x, groups, p["norm1.weight"], p["norm1.bias"], eps));
        h = Ops.Conv2d(h, p["conv1.weight"], p["conv1.bias"], padding: 1);
        var time = Ops.Linear(Ops.Silu(i["temb"]), p["time_emb_proj.weight"], p["time_emb_proj.bias"]);
        h = h + time.Unsqueeze(-1).Unsqueeze(-1);
        h = Ops.Silu(Ops.GroupNorm(h, groups, p["norm2.weight"], p["norm2.bias"], eps));
        h = Ops.Conv2d(h, p["conv2.weight"], p["conv2.bias"], padding: 1);
        return Ops.Conv2d(x, p["conv_shortcut.weight"], p["conv_shortcut.bias"]) + h;
    });

    [Fact]
    public void Unet_spatial_transformer_gradients_match_pytorch() => Check("spatial_transformer", ["x", "context"], (p, i, c) =>
    {
        var heads = c.Int("heads");
        var groups = c.Int("groups");
        var x = i["x"];
        int b = x.Shape[0], ch = x.Shape[1], hh = x.Shape[2], ww = x.Shape[3];
        const string B0 = "transformer_blocks.0.";
        var h = Ops.GroupNorm(x, groups, p["norm.weight"], p["norm.bias"], 1e-6).Permute(0, 2, 3, 1).Reshape(b, hh * ww, ch);
        h = Ops.Linear(h, p["proj_in.weight"], p["proj_in.bias"]);
        Tensor Norm(string name, Tensor y) => Ops.LayerNorm(y, [y.Shape[^1]], p[name + ".weight"], p[name + ".bias"], 1e-5);
        h = DiffusersAttention(Norm(B0 + "norm1", h), null, p, B0 + "attn1.", heads) + h;
        h = DiffusersAttention(Norm(B0 + "norm2", h), i["context"], p, B0 + "attn2.", heads) + h;
        var projected = Ops.Linear(Norm(B0 + "norm3", h), p[B0 + "ff.net.0.proj.weight"], p[B0 + "ff.net.0.proj.bias"]);
        var halves = Ops.Chunk(projected, 2, -1);
        h = Ops.Linear(halves[0] * Ops.Gelu(halves[1]), p[B0 + "ff.net.2.weight"], p[B0 + "ff.net.2.bias"]) + h;
        h = Ops.Linear(h, p["proj_out.weight"], p["proj_out.bias"]);
        return h.Reshape(b, hh, ww, ch).Permute(0, 3, 1, 2) + x;
    });

    [Fact]
    public void Mapper_transformer_gradients_match_pytorch() => Check("mapper", ["src"], (p, i, c) =>
    {
        var heads = c.Int("heads");
        var eps = c.Double("eps");
        var src = i["src"];
        Tensor Norm(string name, Tensor y) => Ops.LayerNorm(y, [y.Shape[^1]], p[name + ".weight"], p[name + ".bias"], eps);
        Tensor FeedForward(string prefix, Tensor y) =>
            Ops.Linear(Ops.Relu(Ops.Linear(y, p[prefix + "linear1.weight"], p[prefix + "linear1.bias"])), p[prefix + "linear2.weight"], p[prefix + "linear2.bias"]);

        var memory = src;
        for (var layer = 0; layer < c.Int("encoder_layers"); layer++)
        {
            var prefix = $"encoder.layers.{layer}.";
            var normed = Norm(prefix + "norm1", memory);
            memory = memory + TorchMultiheadAttention(normed, normed, p, prefix + "self_attn.", heads);
            memory = memory + FeedForward(prefix, Norm(prefix + "norm2", memory));
        }

        memory = Norm("encoder.norm", memory);
        var queries = p["t2i_decoder_prompt"];
        var y = queries.Expand(src.Shape[0], queries.Shape[1], queries.Shape[2]);
        for (var layer = 0; layer < c.Int("decoder_layers"); layer++)
        {
            var prefix = $"decoder.layers.{layer}.";
            var normed = Norm(prefix + "norm1", y);
            y = y + TorchMultiheadAttention(normed, normed, p, prefix + "self_attn.", heads);
            y = y + TorchMultiheadAttention(Norm(prefix + "norm2", y), memory, p, prefix + "multihead_attn.", heads);
            y = y + FeedForward(prefix, Norm(prefix + "norm3", y));
        }

        return Norm("decoder.norm", y);
    });

    private static Tensor DiffusersAttention(Tensor x, Tensor? context, IReadOnlyDictionary<string, Tensor> p, string prefix, int heads)
    {
        context ??= x;
        var q = Ops.Linear(x, p[prefix + "to_q.weight"]);
        var k = Ops.Linear(context, p[prefix + "to_k.weight"]);
        var v = Ops.Linear(context, p[prefix + "to_v.weight"]);
        int b = q.Shape[0], t = q.Shape[1], inner = q.Shape[2], d = inner / heads;
        Tensor Split(Tensor y) => y.View(b, -1, heads, d).Transpose(1, 2);
        var o = Ops.ScaledDotProductAttention(Split(q), Split(k), Split(v)).Transpose(1, 2).Reshape(b, t, inner);
        return Ops.Linear(o, p[prefix + "to_out.0.weight"], p[prefix + "to_out.0.bias"]);
    }

    /// <summary>nn.MultiheadAttention (batch_first): one packed in-projection [3d, d] split into q, k, v.</summary>
    private static Tensor TorchMultiheadAttention(Tensor query, Tensor keyValue, IReadOnlyDictionary<string, Tensor> p, string prefix, int heads)
    {
        var weights = Ops.Chunk(p[prefix + "in_proj_weight"], 3, 0);
        var biases = Ops.Chunk(p[prefix + "in_proj_bias"], 3, 0);
        var q = Ops.Linear(query, weights[0], biases[0]);
        var k = Ops.Linear(keyValue, weights[1], biases[1]);
        var v = Ops.Linear(keyValue, weights[2], biases[2]);
        int b = q.Shape[0], t = q.Shape[1], dModel = q.Shape[2], d = dModel / heads;
        Tensor Split(Tensor y) => y.View(b, -1, heads, d).Transpose(1, 2);
        var o = Ops.ScaledDotProductAttention(Split(q), Split(k), Split(v)).Transpose(1, 2).Reshape(b, t, dModel);
        return Ops.Linear(o, p[prefix + "out_proj.weight"], p[prefix + "out_proj.bias"]);
    }

    private static void Check(
        string op, string[] gradInputs,
        Func<IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>, GoldenCase, Tensor> block)
    {
        using var golden = new GoldenCases("blocks.safetensors");
        var c = golden.Case(op);
        using var scope = TensorScope.Enter();
        var parameters = golden.Roles(c, "p.").ToDictionary(name => name, name => golden.Tensor(c, "p." + name));
        var inputNames = golden.Roles(c, "").Where(r => !r.Contains('.') && r is not ("out" or "grad_out")).ToList();
        var inputs = inputNames.ToDictionary(name => name, name => golden.Tensor(c, name));
        foreach (var tensor in parameters.Values)
        {
            tensor.RequiresGrad = true;
        }

        foreach (var name in gradInputs)
        {
            inputs[name].RequiresGrad = true;
        }

        using var store = new GradientStore();
        using (var tape = GradientTape.Start())
        {
            var output = block(parameters, inputs, c);
            Close.Assert(golden.Tensor(c, "out").ToFloatArray(), output.ToFloatArray(), Rtol, Atol, $"{op} output");
            tape.Backward(output, store, golden.Tensor(c, "grad_out"));
        }

        foreach (var name in gradInputs)
        {
            Close.Assert(golden.Tensor(c, "grad." + name).ToFloatArray(), store.Get(inputs[name])!.ToFloatArray(), Rtol, Atol, $"{op} d{name}");
        }

        foreach (var (name, tensor) in parameters)
        {
            var gradient = store.Get(tensor);
            Assert.True(gradient is not null, $"{op}: parameter {name} got no gradient.");
            Close.Assert(golden.Tensor(c, "grad.p." + name).ToFloatArray(), gradient.ToFloatArray(), Rtol, Atol, $"{op} d{name}");
        }
    }
}
