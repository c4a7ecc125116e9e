#!/usr/bin/python3
"""Writes the golden files of the training code (tests/golden/training/*.safetensors).

Run with Debian's python3 (torch 1.13, CPU):  /usr/bin/python3 tools/reference/training_goldens.py

Files are plain safetensors written by hand (the `safetensors` package is not installed). The header's
`__metadata__` holds "cases": a JSON list of {"name", "op", "params"}; the tensors of case N are "N.<role>".

  blocks.safetensors   PyTorch autograd through whole blocks, float32: the forward output, the upstream gradient
                       "grad_out" and the gradients of every input ("grad.x") and parameter ("grad.p.<name>").
                       llama_layer (transformers 4.31 LlamaDecoderLayer), resnet_block (diffusers ResnetBlock2D),
                       spatial_transformer (diffusers Transformer2DModel, linear projection, one block), mapper
                       (torch.nn.Transformer as MiniGPT-5 builds it: pre-LN, ReLU, no masks, learned queries).
  losses.safetensors   causal-LM cross entropy (HF shift, ignore -100) and min-SNR-5 weighted MSE, with gradients.
  adamw.safetensors    torch.optim.AdamW over two parameter groups with get_linear_schedule_with_warmup (LambdaLR)
                       and MiniGPT-5's gradient row mask, parameters after each of 3 steps.
  tiny-sd/             a tiny UNet, VAE and CLIP text encoder (diffusers/transformers keys, built with
                       sd_reference.py, the repository's PyTorch restatement of those classes) for the tests below.
  ldm.safetensors      MiniGPT-5's compute_image_loss on the tiny models from torch.manual_seed: VAE posterior
                       sample, randn_like noise, randint timesteps, add_noise, UNet, min-SNR-5 weighted MSE; the loss,
                       the draws and the gradient of the conditioning (through the frozen UNet). Also encode_caption:
                       the CLIP text encoder run with the padding attention mask, as the reference passes it.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

import sd_reference as R

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "training")

DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL"}


class Golden:
    def __init__(self, filename):
        self.filename = filename
        self.tensors = {}
        self.cases = []

    def case(self, op, params=None, **tensors):
        name = str(len(self.cases))
        self.cases.append({"name": name, "op": op, "params": params or {}})
        for role, t in tensors.items():
            self.tensors[f"{name}.{role}"] = t.detach().clone().contiguous()
        return name

    def save(self):
        header = {"__metadata__": {"cases": json.dumps(self.cases)}}
        blobs, offset = [], 0
        for key in sorted(self.tensors):
            t = self.tensors[key]
            data = t.numpy().tobytes()
            header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
            blobs.append(data)
            offset += len(data)
        text = json.dumps(header, separators=(",", ":")).encode("utf-8")
        text += b" " * ((8 - len(text) % 8) % 8)
        path = os.path.join(ROOT, self.filename)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for blob in blobs:
                f.write(blob)
        print(f"{path}: {len(self.cases)} cases, {os.path.getsize(path)} bytes")


def rand_params(shapes):
    """Norm weights near 1, biases small, matrices scaled by 1/sqrt(fan_in)."""
    out = {}
    for name, shape in shapes.items():
        leaf = name.split(".")[-1]
        is_norm = "norm" in name
        if is_norm and leaf != "bias":
            out[name] = 1 + 0.1 * torch.randn(*shape)
        elif leaf == "bias" or len(shape) == 1:
            out[name] = 0.1 * torch.randn(*shape)
        else:
            fan_in = shape[1] if len(shape) == 2 else shape[1] * shape[2] * shape[3]
            out[name] = torch.randn(*shape) / math.sqrt(fan_in)
    return out


def rms_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2).float() / d))
    freqs = torch.einsum("i,j->ij", positions.float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def llama_layer(p, x, positions, heads, eps=1e-6):
    """transformers 4.31 LlamaDecoderLayer, causal, no cache."""
    b, t, c = x.shape
    d = c // heads
    h = rms_norm(x, p["input_layernorm.weight"], eps)
    q = F.linear(h, p["self_attn.q_proj.weight"]).view(b, t, heads, d).transpose(1, 2)
    k = F.linear(h, p["self_attn.k_proj.weight"]).view(b, t, heads, d).transpose(1, 2)
    v = F.linear(h, p["self_attn.v_proj.weight"]).view(b, t, heads, d).transpose(1, 2)
    q, k = rope(q, positions), rope(k, positions)
    scores = q @ k.transpose(2, 3) / math.sqrt(d)
    scores = scores + torch.full((t, t), torch.finfo(scores.dtype).min).triu(1)
    attn = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
    x = x + F.linear(attn, p["self_attn.o_proj.weight"])
    h = rms_norm(x, p["post_attention_layernorm.weight"], eps)
    mlp = F.linear(F.silu(F.linear(h, p["mlp.gate_proj.weight"])) * F.linear(h, p["mlp.up_proj.weight"]), p["mlp.down_proj.weight"])
    return x + mlp


def resnet_block(p, x, temb, groups, eps=1e-5):
    """diffusers ResnetBlock2D with a time embedding and a 1x1 conv shortcut."""
    h = F.silu(F.group_norm(x, groups, p["norm1.weight"], p["norm1.bias"], eps))
    h = F.conv2d(h, p["conv1.weight"], p["conv1.bias"], padding=1)
    h = h + F.linear(F.silu(temb), p["time_emb_proj.weight"], p["time_emb_proj.bias"])[:, :, None, None]
    h = F.silu(F.group_norm(h, groups, p["norm2.weight"], p["norm2.bias"], eps))
    h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1)
    return F.conv2d(x, p["conv_shortcut.weight"], p["conv_shortcut.bias"]) + h


def attention(x, context, p, prefix, heads):
    """diffusers Attention: to_q/k/v without bias, to_out.0 with bias."""
    context = x if context is None else context
    q = F.linear(x, p[prefix + "to_q.weight"])
    k = F.linear(context, p[prefix + "to_k.weight"])
    v = F.linear(context, p[prefix + "to_v.weight"])
    b, t, inner = q.shape
    d = inner // heads
    q, k, v = (y.view(b, -1, heads, d).transpose(1, 2) for y in (q, k, v))
    w = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
    out = (w @ v).transpose(1, 2).reshape(b, t, inner)
    return F.linear(out, p[prefix + "to_out.0.weight"], p[prefix + "to_out.0.bias"])


def spatial_transformer(p, x, context, heads, groups):
    """diffusers Transformer2DModel (use_linear_projection=True) with one BasicTransformerBlock (GEGLU)."""
    b, c, hh, ww = x.shape
    h = F.group_norm(x, groups, p["norm.weight"], p["norm.bias"], 1e-6)
    h = h.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
    h = F.linear(h, p["proj_in.weight"], p["proj_in.bias"])
    ln = lambda name, y: F.layer_norm(y, (y.shape[-1],), p[name + ".weight"], p[name + ".bias"], 1e-5)
    h = attention(ln("transformer_blocks.0.norm1", h), None, p, "transformer_blocks.0.attn1.", heads) + h
    h = attention(ln("transformer_blocks.0.norm2", h), context, p, "transformer_blocks.0.attn2.", heads) + h
    proj = F.linear(ln("transformer_blocks.0.norm3", h), p["transformer_blocks.0.ff.net.0.proj.weight"], p["transformer_blocks.0.ff.net.0.proj.bias"])
    hidden, gate = proj.chunk(2, dim=-1)
    h = F.linear(hidden * F.gelu(gate), p["transformer_blocks.0.ff.net.2.weight"], p["transformer_blocks.0.ff.net.2.bias"]) + h
    h = F.linear(h, p["proj_out.weight"], p["proj_out.bias"])
    return h.reshape(b, hh, ww, c).permute(0, 3, 1, 2) + x


def with_grads(g, op, params, fn, inputs, grad_inputs):
    """Runs fn(params, **inputs) under autograd and records output, upstream gradient and every gradient."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    ins = {k: (v.clone().requires_grad_(True) if k in grad_inputs else v) for k, v in inputs.items()}
    out = fn(leaves, **ins)
    grad_out = torch.randn_like(out)
    out.backward(grad_out)
    tensors = {"out": out, "grad_out": grad_out}
    tensors |= {k: v for k, v in inputs.items()}
    tensors |= {"p." + k: v for k, v in params.items()}
    tensors |= {"grad." + k: ins[k].grad for k in grad_inputs}
    tensors |= {"grad.p." + k: v.grad for k, v in leaves.items()}
    return tensors


def blocks():
    g = Golden("blocks.safetensors")
    torch.manual_seed(20)

    c, heads, ffn = 32, 4, 86
    llama = rand_params({
        "input_layernorm.weight": (c,), "post_attention_layernorm.weight": (c,),
        "self_attn.q_proj.weight": (c, c), "self_attn.k_proj.weight": (c, c), "self_attn.v_proj.weight": (c, c),
        "self_attn.o_proj.weight": (c, c), "mlp.gate_proj.weight": (ffn, c), "mlp.up_proj.weight": (ffn, c),
        "mlp.down_proj.weight": (c, ffn),
    })
    x = torch.randn(2, 6, c)
    positions = torch.arange(6)
    g.case("llama_layer", {"heads": heads, "eps": 1e-6},
           **with_grads(g, "llama_layer", llama, lambda p, x, pos: llama_layer(p, x, pos, heads), {"x": x, "pos": positions}, ["x"]))

    cin, cout, tdim, groups = 8, 16, 12, 4
    resnet = rand_params({
        "norm1.weight": (cin,), "norm1.bias": (cin,), "conv1.weight": (cout, cin, 3, 3), "conv1.bias": (cout,),
        "time_emb_proj.weight": (cout, tdim), "time_emb_proj.bias": (cout,),
        "norm2.weight": (cout,), "norm2.bias": (cout,), "conv2.weight": (cout, cout, 3, 3), "conv2.bias": (cout,),
        "conv_shortcut.weight": (cout, cin, 1, 1), "conv_shortcut.bias": (cout,),
    })
    g.case("resnet_block", {"groups": groups, "eps": 1e-5},
           **with_grads(g, "resnet_block", resnet, lambda p, x, temb: resnet_block(p, x, temb, groups),
                        {"x": torch.randn(2, cin, 6, 5), "temb": torch.randn(2, tdim)}, ["x", "temb"]))

    c, heads, ctx, ff, groups = 16, 2, 24, 32, 4
    b0 = "transformer_blocks.0."
    st = rand_params({
        "norm.weight": (c,), "norm.bias": (c,), "proj_in.weight": (c, c), "proj_in.bias": (c,),
        b0 + "norm1.weight": (c,), b0 + "norm1.bias": (c,), b0 + "norm2.weight": (c,), b0 + "norm2.bias": (c,),
        b0 + "norm3.weight": (c,), b0 + "norm3.bias": (c,),
        b0 + "attn1.to_q.weight": (c, c), b0 + "attn1.to_k.weight": (c, c), b0 + "attn1.to_v.weight": (c, c),
        b0 + "attn1.to_out.0.weight": (c, c), b0 + "attn1.to_out.0.bias": (c,),
        b0 + "attn2.to_q.weight": (c, c), b0 + "attn2.to_k.weight": (c, ctx), b0 + "attn2.to_v.weight": (c, ctx),
        b0 + "attn2.to_out.0.weight": (c, c), b0 + "attn2.to_out.0.bias": (c,),
        b0 + "ff.net.0.proj.weight": (2 * ff, c), b0 + "ff.net.0.proj.bias": (2 * ff,),
        b0 + "ff.net.2.weight": (c, ff), b0 + "ff.net.2.bias": (c,),
        "proj_out.weight": (c, c), "proj_out.bias": (c,),
    })
    g.case("spatial_transformer", {"heads": heads, "groups": groups},
           **with_grads(g, "spatial_transformer", st, lambda p, x, context: spatial_transformer(p, x, context, heads, groups),
                        {"x": torch.randn(2, c, 3, 4), "context": torch.randn(2, 7, ctx)}, ["x", "context"]))

    d, heads, ff, queries = 32, 4, 64, 10
    mapper = torch.nn.Transformer(d_model=d, nhead=heads, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=ff,
                                  dropout=0.0, batch_first=True, norm_first=True)
    with torch.no_grad():
        for prm in mapper.parameters():
            prm.add_(0.05 * torch.randn_like(prm))
    params = {k: v.detach().clone() for k, v in mapper.state_dict().items()}
    params["t2i_decoder_prompt"] = torch.randn(1, queries, d)

    def run_mapper(p, src):
        state = {k: v for k, v in p.items() if k != "t2i_decoder_prompt"}
        out = torch.func.functional_call(mapper, state, (src, p["t2i_decoder_prompt"].repeat(src.shape[0], 1, 1))) \
            if hasattr(torch, "func") else torch.nn.utils.stateless.functional_call(mapper, state, (src, p["t2i_decoder_prompt"].repeat(src.shape[0], 1, 1)))
        return out

    g.case("mapper", {"heads": heads, "encoder_layers": 2, "decoder_layers": 2, "eps": 1e-5},
           **with_grads(g, "mapper", params, run_mapper, {"src": torch.randn(2, 8, d)}, ["src"]))
    g.save()


def losses():
    g = Golden("losses.safetensors")
    torch.manual_seed(21)
    logits = torch.randn(2, 6, 11, requires_grad=True)
    labels = torch.tensor([[-100, -100, 3, 7, -100, 10], [-100, 4, 4, 0, 9, -100]])
    shift_logits = logits[..., :-1, :].contiguous().view(-1, 11)
    shift_labels = labels[..., 1:].contiguous().view(-1)
    loss = torch.nn.CrossEntropyLoss()(shift_logits, shift_labels)
    loss.backward()
    g.case("causal_lm", {}, logits=logits, labels=labels, loss=loss.reshape(1), **{"grad.logits": logits.grad})

    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float32) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
    timesteps = torch.tensor([0, 1, 17, 250, 499, 500, 981, 999])
    sqrt_a = (alphas_cumprod ** 0.5)[timesteps].float()
    sqrt_1ma = ((1.0 - alphas_cumprod) ** 0.5)[timesteps].float()
    snr = (sqrt_a / sqrt_1ma) ** 2
    weights = torch.stack([snr, 5 * torch.ones_like(timesteps)], dim=1).min(dim=1)[0] / snr
    pred = torch.randn(8, 4, 3, 3, requires_grad=True)
    target = torch.randn(8, 4, 3, 3)
    mse = F.mse_loss(pred.float(), target.float(), reduction="none")
    weighted = (mse.mean(dim=list(range(1, len(mse.shape)))) * weights).mean()
    weighted.backward()
    g.case("min_snr", {"gamma": 5}, alphas_cumprod=alphas_cumprod, timesteps=timesteps, weights=weights.float(),
           pred=pred, target=target, loss=weighted.reshape(1), **{"grad.pred": pred.grad})
    g.save()


def adamw():
    g = Golden("adamw.safetensors")
    torch.manual_seed(22)
    embed = torch.nn.Parameter(torch.randn(6, 4))
    weight = torch.nn.Parameter(torch.randn(3, 4))
    bias = torch.nn.Parameter(torch.randn(3))
    idle = torch.nn.Parameter(torch.randn(2))
    initial = {"embed": embed.detach().clone(), "weight": weight.detach().clone(), "bias": bias.detach().clone(), "idle": idle.detach().clone()}
    optimizer = torch.optim.AdamW([{"params": [embed, idle]}, {"params": [weight, bias], "lr": 2e-2, "weight_decay": 0.1}],
                                  lr=1e-2, eps=1e-8)
    warmup, total = 2, 5

    def factor(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    mask = torch.ones_like(embed)
    mask[:4] = 0  # only the last 2 rows learn, as MiniGPT-5's reset_embeddings
    tensors = {"p0." + k: v for k, v in initial.items()}
    for step in range(4):
        optimizer.zero_grad()
        grads = {"embed": torch.randn(6, 4), "weight": torch.randn(3, 4), "bias": torch.randn(3)}
        embed.grad, weight.grad, bias.grad = grads["embed"].clone(), grads["weight"].clone(), grads["bias"].clone()
        embed.grad = embed.grad * mask  # idle never gets a gradient: no decay, no step
        optimizer.step()
        scheduler.step()
        tensors |= {f"g{step}." + k: v for k, v in grads.items()}
        tensors |= {f"p{step + 1}." + k: v.detach().clone() for k, v in
                    {"embed": embed, "weight": weight, "bias": bias, "idle": idle}.items()}
    g.case("adamw", {"lr": [1e-2, 2e-2], "weight_decay": [0.01, 0.1], "warmup": warmup, "total": total, "steps": 4,
                     "first_trainable_row": 4}, **tensors)
    g.save()


TINY_UNET = {
    "_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": [1, 2], "block_out_channels": [16, 32],
    "center_input_sample": False, "cross_attention_dim": 32, "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 4, "layers_per_block": 1,
    "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 8, "out_channels": 4, "sample_size": 8,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "use_linear_projection": True,
}
TINY_VAE = {
    "_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [8, 16],
    "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"], "in_channels": 3, "latent_channels": 4,
    "layers_per_block": 1, "norm_num_groups": 4, "out_channels": 3, "sample_size": 16, "scaling_factor": 0.18215,
    "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
}
TINY_TEXT = {
    "architectures": ["CLIPTextModel"], "hidden_act": "gelu", "hidden_size": 32, "intermediate_size": 64,
    "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 4,
    "num_hidden_layers": 2, "pad_token_id": 1, "projection_dim": 32, "vocab_size": 1214,
}
SCHEDULER = {
    "_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
    "clip_sample": False, "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": False,
    "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
}


def randomize(module, seed):
    """Every parameter from N(0, 1/fan_in)-ish noise (norm weights near 1), so activations stay O(1)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, prm in module.named_parameters():
            if prm.dim() == 1:
                base = 1.0 if ("norm" in name and name.endswith("weight")) else 0.0
                prm.copy_(base + 0.1 * torch.randn(prm.shape, generator=g))
            else:
                fan_in = prm[0].numel()
                prm.copy_(torch.randn(prm.shape, generator=g) / math.sqrt(fan_in))
    return module


def write_component(folder, config, module, weights_name):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    R.save_safetensors(os.path.join(folder, weights_name), {k: v.detach() for k, v in module.state_dict().items()}, {"format": "pt"})


def tiny_sd():
    folder = os.path.join(ROOT, "tiny-sd")
    unet = randomize(R.UNet2DConditionModel(TINY_UNET), 31)
    vae = randomize(R.AutoencoderKL(TINY_VAE), 32)
    text = randomize(R.CLIPTextModel(TINY_TEXT), 33)
    write_component(os.path.join(folder, "unet"), TINY_UNET, unet, "diffusion_pytorch_model.safetensors")
    write_component(os.path.join(folder, "vae"), TINY_VAE, vae, "diffusion_pytorch_model.safetensors")
    write_component(os.path.join(folder, "text_encoder"), TINY_TEXT, text, "model.safetensors")
    os.makedirs(os.path.join(folder, "scheduler"), exist_ok=True)
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER, f, indent=1)
    for m in (unet, vae, text):
        m.requires_grad_(False)
    return unet, vae, text


def alphas_cumprod():
    return torch.cumprod(1.0 - R.make_betas(SCHEDULER), dim=0)


def image_loss(unet, vae, images, conditioning, snr_gamma=5.0):
    """MiniGPT-5 compute_image_loss (model.py) with the global RNG."""
    mean, logvar = vae.encode(images)
    latents = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape)
    latents = latents * TINY_VAE["scaling_factor"]
    # randn_like keeps the layout of its argument, and this CPU conv stack returns channels-last strides, for which
    # torch samples element by element (a different draw sequence). On contiguous latents, as the trainer has,
    # randn_like(latents) == randn(latents.shape), which is what is drawn here.
    noise = torch.randn(latents.shape)
    timesteps = torch.randint(0, SCHEDULER["num_train_timesteps"], (latents.shape[0],)).long()
    a = alphas_cumprod()
    sqrt_a = (a[timesteps] ** 0.5).flatten().view(-1, 1, 1, 1)
    sqrt_1ma = ((1 - a[timesteps]) ** 0.5).flatten().view(-1, 1, 1, 1)
    noisy = sqrt_a * latents + sqrt_1ma * noise
    pred = unet(noisy, timesteps, conditioning)
    snr = ((a ** 0.5)[timesteps].float() / ((1.0 - a) ** 0.5)[timesteps].float()) ** 2
    weights = torch.stack([snr, snr_gamma * torch.ones_like(timesteps)], dim=1).min(dim=1)[0] / snr
    loss = F.mse_loss(pred.float(), noise.float(), reduction="none")
    loss = (loss.mean(dim=list(range(1, len(loss.shape)))) * weights).mean()
    return loss, latents, noise, timesteps, weights


def masked_clip(text, ids, attention_mask):
    """transformers CLIPTextModel(input_ids, attention_mask): causal mask plus the expanded padding mask."""
    tm = text.text_model
    b, t = ids.shape
    x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding(torch.arange(t))[None]
    low = torch.finfo(torch.float32).min
    causal = torch.full((t, t), low).triu(1)[None, None]
    padding = (1.0 - attention_mask[:, None, None, :].float()) * low
    for layer in tm.encoder.layers:
        x = layer(x, causal + padding)
    return tm.final_layer_norm(x)


def ldm(unet, vae, text):
    g = Golden("ldm.safetensors")
    gen = torch.Generator().manual_seed(40)
    images = torch.rand(2, 3, 16, 16, generator=gen) * 2 - 1
    conditioning = torch.randn(2, 6, 32, generator=gen).requires_grad_(True)
    torch.manual_seed(1234)
    loss, latents, noise, timesteps, weights = image_loss(unet, vae, images, conditioning)
    loss.backward()
    g.case("image_loss", {"seed": 1234}, images=images, conditioning=conditioning, loss=loss.reshape(1), latents=latents,
           noise=noise, timesteps=timesteps, weights=weights.float(), **{"grad.conditioning": conditioning.grad})

    # encode_caption: BOS, 3 tokens, EOS, then padding to 77 with the attention mask (ids of the test tokenizer
    # tests/data/text/clip-sd2: BOS 1212, EOS 1213, pad "!" 0).
    ids = torch.zeros(2, 77, dtype=torch.int64)
    mask = torch.zeros(2, 77, dtype=torch.int64)
    ids[0, :5] = torch.tensor([1212, 320, 1125, 539, 1213])
    mask[0, :5] = 1
    ids[1, :2] = torch.tensor([1212, 1213])
    mask[1, :2] = 1
    with torch.no_grad():
        out = masked_clip(text, ids, mask)
        unmasked = text(ids)
    g.case("caption", {}, ids=ids, mask=mask, out=out, unmasked=unmasked)
    g.save()


if __name__ == "__main__":
    os.makedirs(ROOT, exist_ok=True)
    torch.set_num_threads(1)
    blocks()
    losses()
    adamw()
    ldm(*tiny_sd())
