#!/usr/bin/python3
"""The PyTorch anchor of `minigpt5 bench llama`: times prefill and KV-cache decode of a Hugging Face LLaMA folder the
C# bench wrote (config.json + model.safetensors, bf16), on the prompt and forced decode ids it chose, and prints one
JSON object.

    /usr/bin/python3 tools/reference/llama_bench_torch.py --folder DIR --ids ids.json --output out.safetensors \
        --repeats 2 [--threads N]

ids.json: {"prompt": [...], "decode": [...]}. Each repeat runs the prompt in one pass, then feeds the decode ids one
at a time through the cache (forced, so both sides do the same work whatever the random weights predict).

The model is transformers 4.31's modeling_llama.py restated compactly, as `LlamaForCausalLM.from_pretrained(dir,
torch_dtype=torch.bfloat16)` runs it on the CPU: bf16 weights AND bf16 activations, RMSNorm variance in float32, the
rotary cos/sin cache, repeat_kv, matmul attention with the softmax in float32, the KV cache grown by torch.cat.
Run with Debian's interpreter (torch 1.13, numpy); no transformers needed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_reference as R  # noqa: E402  (safetensors read/write helpers)

# Parameters are created on the meta device in bf16 (no memory), then materialised once and filled from the file.
META = {"device": "meta", "dtype": torch.bfloat16}


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d, **META))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Rotary(nn.Module):
    def __init__(self, dim, max_positions, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        t = torch.arange(max_positions, dtype=torch.float32)
        emb = torch.cat((torch.outer(t, inv_freq),) * 2, dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()

    def forward(self, dtype, positions):
        return self.cos[positions].to(dtype)[None, None], self.sin[positions].to(dtype)[None, None]


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
        self.hd = c["hidden_size"] // self.h
        self.q_proj = nn.Linear(c["hidden_size"], self.h * self.hd, bias=False, **META)
        self.k_proj = nn.Linear(c["hidden_size"], self.kv * self.hd, bias=False, **META)
        self.v_proj = nn.Linear(c["hidden_size"], self.kv * self.hd, bias=False, **META)
        self.o_proj = nn.Linear(self.h * self.hd, c["hidden_size"], bias=False, **META)

    def forward(self, x, cos, sin, mask, past):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = self.h // self.kv
        s = k.shape[2]
        if rep > 1:
            k = k[:, :, None].expand(b, self.kv, rep, s, self.hd).reshape(b, self.h, s, self.hd)
            v = v[:, :, None].expand(b, self.kv, rep, s, self.hd).reshape(b, self.h, s, self.hd)
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd)
        if mask is not None:
            w = w + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(w, v).transpose(1, 2).reshape(b, t, self.h * self.hd)
        return self.o_proj(out), present


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False, **META)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False, **META)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False, **META)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, past):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), present


class Body(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"], **META)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = Body(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False, **META)
        hd = c["hidden_size"] // c["num_attention_heads"]
        self.rotary = Rotary(hd, c.get("max_position_embeddings", 2048), c.get("rope_theta", 10000.0))

    def forward(self, ids, past=None):
        """ids [1, T] -> (logits of the last position [V] in float32, new past)."""
        t = ids.shape[1]
        start = past[0][0].shape[2] if past is not None else 0
        positions = torch.arange(start, start + t)
        x = self.model.embed_tokens(ids)
        cos, sin = self.rotary(x.dtype, positions)
        mask = None
        if t > 1:
            # 4.31's causal mask with the past prepended as visible.
            m = torch.full((t, t), torch.finfo(x.dtype).min, dtype=x.dtype).triu(1)
            mask = torch.cat([torch.zeros(t, start, dtype=x.dtype), m], dim=-1)[None, None]
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, p = layer(x, cos, sin, mask, past[i] if past is not None else None)
            presents.append(p)
        x = self.model.norm(x[:, -1:])
        return self.lm_head(x)[0, -1].float(), presents


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with open(os.path.join(args.folder, "config.json")) as f:
        config = json.load(f)
    with open(args.ids) as f:
        ids = json.load(f)
    prompt = torch.tensor([ids["prompt"]], dtype=torch.long)
    decode = ids["decode"]

    start = time.perf_counter()
    model = LlamaForCausalLM(config).to_empty(device="cpu")
    state = R.load_safetensors(os.path.join(args.folder, "model.safetensors"), copy=False)
    model.load_state_dict(state, strict=True)
    del state
    model.eval()
    load_seconds = time.perf_counter() - start

    prefill, per_token, logits = [], [], None
    with torch.no_grad():
        for _ in range(max(1, args.repeats)):
            t = time.perf_counter()
            logits, past = model(prompt)
            prefill.append(time.perf_counter() - t)
            t = time.perf_counter()
            for token in decode:
                _, past = model(torch.tensor([[token]]), past)
            per_token.append((time.perf_counter() - t) / max(1, len(decode)))
    R.save_safetensors(args.output, {"prefill_logits": logits})
    print(json.dumps({
        "prefill_seconds": min(prefill),
        "decode_seconds_per_token": min(per_token),
        "all_prefill_seconds": prefill,
        "all_decode_seconds_per_token": per_token,
        "load_seconds": load_seconds,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
