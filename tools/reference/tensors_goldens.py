#!/usr/bin/python3
"""Writes the golden files of the tensor engine (tests/golden/tensors/*.safetensors).

Run with Debian's python3 (torch 1.13, CPU):  /usr/bin/python3 tools/reference/tensors_goldens.py

Each file is a plain safetensors file (8-byte little-endian header length, JSON header, raw little-endian bytes),
written by hand because the `safetensors` package is not available. The header's `__metadata__` holds one entry,
"cases": a JSON list of {"name", "op", "params"}; the tensors of case N are named "N.<role>" (inputs "N.x", "N.w",
weights, and the expected result "N.out"). The C# tests enumerate the cases and run the same op.

Semantics of the expected values:
  * float32 results are what PyTorch computes (its own kernels), except attention, which PyTorch 1.13 lacks as an
    op: it is computed in float64 from the inputs and rounded.
  * float16/bfloat16 results of single ops are `op(x.float()).to(dtype)`: compute in float32, round once. That is the
    engine's contract (and what PyTorch 2.x CPU kernels do); PyTorch 1.13 has no float16 CPU kernels for most ops.
  * Expressions that PyTorch code writes step by step in half precision (HF LLaMA RMSNorm and RoPE) are evaluated
    exactly as written, in the real dtype.
  * Blocks (LLaMA layer, SD ResNet, spatial transformer, VAE mid-block, nn.TransformerDecoderLayer) are built from
    the published architectures with random weights and run in float32 (the LLaMA layer also in bfloat16).
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "tensors")

DTYPES = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.bool: "BOOL",
}
DTYPE_NAMES = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


class Golden:
    def __init__(self, filename):
        self.filename = filename
        self.tensors = {}
        self.cases = []

    def case(self, op, params=None, **tensors):
        name = str(len(self.cases))
        self.cases.append({"name": name, "op": op, "params": params or {}})
        for role, t in tensors.items():
            self.tensors[f"{name}.{role}"] = t.detach().clone()
        return name

    def save(self):
        header = {"__metadata__": {"cases": json.dumps(self.cases)}}
        blobs = []
        offset = 0
        for key in sorted(self.tensors):
            t = self.tensors[key]
            data = raw_bytes(t)
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


def in_f32(fn, *xs, dtype):
    """op computed in float32 from (possibly half) inputs, rounded once to dtype."""
    return fn(*[x.float() if x.is_floating_point() else x for x in xs]).to(dtype)


# ----------------------------------------------------------------------------------------------------------------
# core: random numbers and casts


def core():
    g = Golden("core.safetensors")
    for seed, shape in [(42, (1, 4, 8, 8)), (0, (37,)), (7, (5,)), (123, (16,))]:
        torch.manual_seed(seed)
        g.case("randn", {"seed": seed, "shape": list(shape)}, out=torch.randn(*shape))
    torch.manual_seed(5)
    first = torch.randn(3)
    second = torch.randn(20)
    third = torch.randn(2)
    g.case("randn_sequence", {"seed": 5, "shapes": [[3], [20], [2]]}, out0=first, out1=second, out2=third)
    torch.manual_seed(9)
    g.case("rand", {"seed": 9, "shape": [3, 7]}, out=torch.rand(3, 7))

    special = [0.0, -0.0, 1.0, -1.0, 1.00390625, 1.01171875, 1.0078125 + 2 ** -20, 65504.0, 65520.0, 1e6, 6e-8, 1e-40,
               3.0e38, -3.4e38, float("inf"), float("-inf"), float("nan"), 0.1, 1 / 3, 2.5e-5]
    ties = torch.tensor(special, dtype=torch.float32)
    torch.manual_seed(1)
    values = torch.cat([ties, torch.randn(64) * 10])
    for dtype in (torch.float16, torch.bfloat16):
        g.case("cast", {"from": "float32", "to": DTYPE_NAMES[dtype]}, x=values, out=values.to(dtype))
        g.case("cast", {"from": DTYPE_NAMES[dtype], "to": "float32"}, x=values.to(dtype), out=values.to(dtype).float())
    finite = torch.tensor([0.0, 0.5, -0.5, 1.7, -1.7, 2.5, -2.5, 100.9, -100.9, 3e9])
    g.case("cast", {"from": "float32", "to": "int64"}, x=finite, out=finite.to(torch.int64))
    ints = torch.tensor([0, 1, -1, 16777217, -16777217, 2 ** 40 + 1], dtype=torch.int64)
    g.case("cast", {"from": "int64", "to": "float32"}, x=ints, out=ints.float())
    g.case("cast", {"from": "float32", "to": "bool"}, x=finite, out=finite.to(torch.bool))
    g.case("cast", {"from": "bfloat16", "to": "float16"}, x=values.to(torch.bfloat16), out=values.to(torch.bfloat16).float().to(torch.float16))
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# elementwise


UNARY = {
    "neg": torch.neg,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "silu": F.silu,
    "reciprocal": torch.reciprocal,
}
POSITIVE = {"log", "sqrt", "rsqrt"}


def elementwise():
    g = Golden("ops_elementwise.safetensors")
    torch.manual_seed(2)
    for name, fn in UNARY.items():
        for dtype in (torch.float32, torch.float16, torch.bfloat16):
            x = torch.randn(3, 37) * 3
            if name in POSITIVE:
                x = x.abs() + 0.05
            if name == "reciprocal":
                x = torch.where(x.abs() < 0.1, torch.full_like(x, 0.5), x)
            x = x.to(dtype)
            g.case("unary", {"fn": name, "dtype": DTYPE_NAMES[dtype]}, x=x, out=in_f32(fn, x, dtype=dtype))

    binary = {
        "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
        "pow": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum,
    }
    for name, fn in binary.items():
        for dtype in (torch.float32, torch.float16, torch.bfloat16):
            a = (torch.randn(4, 1, 7) * 2).to(dtype)
            b = (torch.randn(3, 7) * 2).to(dtype)
            if name == "pow":
                a = a.abs() + 0.1
            if name == "div":
                b = torch.where(b.abs() < 0.2, torch.full_like(b, 0.7), b)
            g.case("binary", {"fn": name, "dtype": DTYPE_NAMES[dtype]}, a=a, b=b, out=in_f32(fn, a, b, dtype=dtype))
    # Type promotion: float32 with bfloat16 gives float32; a 0-dim float32 with bfloat16 keeps bfloat16.
    a = torch.randn(2, 5)
    b = torch.randn(5).to(torch.bfloat16)
    g.case("binary", {"fn": "add", "dtype": "mixed"}, a=a, b=b, out=a + b.float())
    s = torch.tensor(1.75)
    g.case("binary", {"fn": "mul", "dtype": "zero_dim"}, a=b, b=s, out=(b.float() * s).to(torch.bfloat16))
    for name in ("add", "sub", "mul"):
        a = torch.randint(-50, 50, (3, 4))
        b = torch.randint(-50, 50, (4,))
        g.case("binary", {"fn": name, "dtype": "int64"}, a=a, b=b, out=binary[name](a, b))
    a = torch.randint(-50, 50, (3, 4))
    b = torch.randint(1, 9, (4,))
    g.case("binary", {"fn": "div", "dtype": "int64"}, a=a, b=b, out=torch.div(a, b))

    scalar_cases = [("add", 2.5, False), ("sub", 1.5, False), ("sub", 1.5, True), ("mul", 0.125, False),
                    ("div", 3.0, False), ("div", 2.0, True), ("pow", 2.0, False), ("pow", 0.5, False),
                    ("pow", 3.0, False), ("pow", -0.5, False), ("pow", 1.7, False)]
    for name, value, reverse in scalar_cases:
        for dtype in (torch.float32, torch.bfloat16):
            x = (torch.randn(5, 9).abs() + 0.1).to(dtype)
            if reverse:
                fn = {"sub": lambda t: value - t, "div": lambda t: value / t}[name]
            else:
                fn = lambda t, n=name: binary[n](t, value)
            g.case("scalar", {"fn": name, "value": value, "reverse": reverse, "dtype": DTYPE_NAMES[dtype]}, x=x,
                   out=in_f32(fn, x, dtype=dtype))

    a = torch.randint(-3, 3, (4, 6)).float()
    b = torch.randint(-3, 3, (6,)).float()
    for name, fn in {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}.items():
        g.case("compare", {"fn": name}, a=a, b=b, out=fn(a, b))
        g.case("compare_scalar", {"fn": name, "value": 1.0}, a=a, out=fn(a, 1.0))

    x = torch.randn(4, 8) * 3
    for lo, hi in [(-1.0, None), (None, 0.5), (-0.25, 0.75)]:
        g.case("clamp", {"min": lo, "max": hi}, x=x, out=torch.clamp(x, lo, hi))
    cond = torch.randn(3, 1, 5) > 0
    a = torch.randn(4, 5)
    b = torch.randn(3, 4, 1)
    g.case("where", {}, cond=cond, a=a, b=b, out=torch.where(cond, a, b))
    mask = torch.randn(1, 5) > 0
    g.case("masked_fill", {"value": -1e9}, x=a, mask=mask, out=a.masked_fill(mask, -1e9))
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# matmul, linear, convolutions


def linalg():
    g = Golden("ops_linalg.safetensors")
    torch.manual_seed(3)
    for sa, sb in [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)), ((3, 5), (5, 4)), ((2, 3, 5), (5, 4)),
                   ((2, 1, 3, 5), (4, 5, 6)), ((37, 70), (70, 45)), ((2, 9, 33), (2, 33, 17))]:
        a, b = torch.randn(*sa), torch.randn(*sb)
        g.case("matmul", {"dtype": "float32"}, a=a, b=b, out=torch.matmul(a, b))
    a, b = torch.randn(2, 7, 19).to(torch.bfloat16), torch.randn(19, 11).to(torch.bfloat16)
    g.case("matmul", {"dtype": "bfloat16"}, a=a, b=b, out=in_f32(torch.matmul, a, b, dtype=torch.bfloat16))

    x, w, bias = torch.randn(2, 3, 16), torch.randn(24, 16), torch.randn(24)
    g.case("linear", {"dtype": "float32"}, x=x, w=w, b=bias, out=F.linear(x, w, bias))
    g.case("linear", {"dtype": "float32"}, x=x, w=w, out=F.linear(x, w))
    x2, w2 = torch.randn(5, 300), torch.randn(70, 300)
    g.case("linear", {"dtype": "float32"}, x=x2, w=w2, out=F.linear(x2, w2))
    for dtype in (torch.bfloat16, torch.float16):
        xh, wh, bh = x.to(dtype), w.to(dtype), bias.to(dtype)
        g.case("linear", {"dtype": DTYPE_NAMES[dtype]}, x=xh, w=wh, b=bh, out=in_f32(F.linear, xh, wh, bh, dtype=dtype))
        # Mixed: float32 activations with a half-precision weight, computed as float32.
        g.case("linear", {"dtype": "mixed_" + DTYPE_NAMES[dtype]}, x=x, w=wh, b=bias, out=F.linear(x, wh.float(), bias))
    # A single row (the decode path) with a bfloat16 weight.
    xr, wr = torch.randn(1, 1, 96), torch.randn(50, 96).to(torch.bfloat16)
    g.case("linear", {"dtype": "mixed_bfloat16"}, x=xr, w=wr, out=F.linear(xr, wr.float()))

    for p in [dict(stride=1, padding=1, dilation=1, groups=1), dict(stride=2, padding=1, dilation=1, groups=1),
              dict(stride=1, padding=2, dilation=2, groups=1), dict(stride=1, padding=0, dilation=1, groups=2),
              dict(stride=(2, 1), padding=(0, 1), dilation=1, groups=1)]:
        x = torch.randn(2, 4, 9, 11)
        w = torch.randn(6, 4 // p["groups"], 3, 3)
        b = torch.randn(6)
        g.case("conv2d", {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()} | {"dtype": "float32"},
               x=x, w=w, b=b, out=F.conv2d(x, w, b, **p))
    x, w = torch.randn(1, 8, 5, 6), torch.randn(16, 8, 1, 1)
    g.case("conv2d", {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "dtype": "float32"}, x=x, w=w, out=F.conv2d(x, w))
    x, w, b = torch.randn(1, 3, 8, 8).to(torch.bfloat16), torch.randn(5, 3, 3, 3).to(torch.bfloat16), torch.randn(5).to(torch.bfloat16)
    g.case("conv2d", {"stride": 1, "padding": 1, "dilation": 1, "groups": 1, "dtype": "bfloat16"}, x=x, w=w, b=b,
           out=in_f32(lambda a, c, d: F.conv2d(a, c, d, padding=1), x, w, b, dtype=torch.bfloat16))

    for p in [dict(stride=2, padding=1, output_padding=1, groups=1, dilation=1),
              dict(stride=1, padding=0, output_padding=0, groups=2, dilation=1),
              dict(stride=3, padding=2, output_padding=0, groups=1, dilation=2)]:
        x = torch.randn(1, 4, 5, 6)
        w = torch.randn(4, 6 // p["groups"], 3, 3)
        b = torch.randn(6)
        g.case("conv_transpose2d", p | {"dtype": "float32"}, x=x, w=w, b=b, out=F.conv_transpose2d(x, w, b, **p))
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# normalisation and softmax


def hf_rms_norm(x, weight, eps):
    input_dtype = x.dtype
    h = x.to(torch.float32)
    variance = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + eps)
    return weight * h.to(input_dtype)


def norms():
    g = Golden("ops_norm.safetensors")
    torch.manual_seed(4)
    x = torch.randn(2, 5, 24) * 2 + 1
    w, b = torch.randn(24), torch.randn(24)
    g.case("layer_norm", {"shape": [24], "eps": 1e-5}, x=x, w=w, b=b, out=F.layer_norm(x, (24,), w, b, 1e-5))
    g.case("layer_norm", {"shape": [24], "eps": 1e-6}, x=x, out=F.layer_norm(x, (24,), None, None, 1e-6))
    w2, b2 = torch.randn(5, 24), torch.randn(5, 24)
    g.case("layer_norm", {"shape": [5, 24], "eps": 1e-5}, x=x, w=w2, b=b2, out=F.layer_norm(x, (5, 24), w2, b2))
    xb, wb, bb = x.to(torch.bfloat16), w.to(torch.bfloat16), b.to(torch.bfloat16)
    g.case("layer_norm", {"shape": [24], "eps": 1e-5}, x=xb, w=wb, b=bb,
           out=in_f32(lambda a, c, d: F.layer_norm(a, (24,), c, d), xb, wb, bb, dtype=torch.bfloat16))

    x = torch.randn(2, 8, 5, 7) * 3 - 1
    w, b = torch.randn(8), torch.randn(8)
    g.case("group_norm", {"groups": 4, "eps": 1e-5}, x=x, w=w, b=b, out=F.group_norm(x, 4, w, b, 1e-5))
    g.case("group_norm", {"groups": 2, "eps": 1e-6}, x=x, out=F.group_norm(x, 2, None, None, 1e-6))
    g.case("group_norm", {"groups": 8, "eps": 1e-6}, x=x, w=w, b=b, out=F.group_norm(x, 8, w, b, 1e-6))
    xb = x.to(torch.bfloat16)
    g.case("group_norm", {"groups": 4, "eps": 1e-5}, x=xb, w=w.to(torch.bfloat16), b=b.to(torch.bfloat16),
           out=in_f32(lambda a, c, d: F.group_norm(a, 4, c, d), xb, w.to(torch.bfloat16), b.to(torch.bfloat16), dtype=torch.bfloat16))

    x = torch.randn(2, 5, 32)
    w = torch.randn(32)
    g.case("rms_norm", {"eps": 1e-6}, x=x, w=w, out=hf_rms_norm(x, w, 1e-6))
    for dtype in (torch.bfloat16, torch.float16):
        xh, wh = x.to(dtype), w.to(dtype)
        g.case("rms_norm", {"eps": 1e-6}, x=xh, w=wh, out=hf_rms_norm(xh, wh, 1e-6))
    g.case("rms_norm", {"eps": 1e-5}, x=x.to(torch.bfloat16), w=w, out=hf_rms_norm(x.to(torch.bfloat16), w, 1e-5))

    x = torch.randn(3, 5, 7) * 4
    x[0, 1, 2] = float("-inf")
    for dim in (-1, 1, 0):
        g.case("softmax", {"dim": dim}, x=x, out=torch.softmax(x, dim))
        g.case("log_softmax", {"dim": dim}, x=x, out=torch.log_softmax(x, dim))
    xb = x.to(torch.bfloat16)
    g.case("softmax", {"dim": -1}, x=xb, out=in_f32(lambda a: torch.softmax(a, -1), xb, dtype=torch.bfloat16))
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# attention and rotary embedding


def attention_reference(q, k, v, mask=None, causal=None, scale=None, gqa=False):
    """Attention in float64 from the given inputs, rounded to q's dtype. causal: None, "upper_left" or "lower_right"."""
    dtype = q.dtype
    q, k, v = q.double(), k.double(), v.double()
    if gqa:
        groups = q.shape[-3] // k.shape[-3]
        k = k.repeat_interleave(groups, dim=-3)
        v = v.repeat_interleave(groups, dim=-3)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    L, S = q.shape[-2], k.shape[-2]
    if causal is not None:
        offset = 0 if causal == "upper_left" else S - L
        allowed = torch.ones(L, S, dtype=torch.bool).tril(diagonal=offset)
        scores = scores.masked_fill(~allowed, float("-inf"))
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.double()
    return (torch.softmax(scores, dim=-1) @ v).to(dtype)


def hf_rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def hf_rope(x, position_ids, base=10000.0, max_positions=2048):
    """transformers 4.31 LlamaRotaryEmbedding + apply_rotary_pos_emb, for one tensor [B, H, T, D]."""
    dim = x.shape[-1]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    t = torch.arange(max_positions, dtype=inv_freq.dtype)
    freqs = torch.einsum("i,j->ij", t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos = emb.cos().to(x.dtype)
    sin = emb.sin().to(x.dtype)
    if position_ids.dim() == 1:
        position_ids = position_ids.unsqueeze(0).expand(x.shape[0], -1)
    cos = cos[position_ids].unsqueeze(1)
    sin = sin[position_ids].unsqueeze(1)
    return (x * cos) + (hf_rotate_half(x) * sin)


def attention():
    g = Golden("ops_attention.safetensors")
    torch.manual_seed(6)
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 6)
    g.case("sdpa", {}, q=q, k=k, v=v, out=attention_reference(q, k, v))
    mask = torch.randn(5, 7) > -0.5
    mask[:, 0] = True
    g.case("sdpa", {}, q=q, k=k, v=v, mask=mask, out=attention_reference(q, k, v, mask=mask))
    fmask = torch.randn(2, 1, 5, 7)
    g.case("sdpa", {}, q=q, k=k, v=v, mask=fmask, out=attention_reference(q, k, v, mask=fmask))
    g.case("sdpa", {"scale": 0.3}, q=q, k=k, v=v, out=attention_reference(q, k, v, scale=0.3))
    qs, ks, vs = torch.randn(1, 2, 6, 8), torch.randn(1, 2, 6, 8), torch.randn(1, 2, 6, 8)
    g.case("sdpa", {"causal": "upper_left"}, q=qs, k=ks, v=vs, out=attention_reference(qs, ks, vs, causal="upper_left"))
    ql = torch.randn(1, 2, 3, 8)
    g.case("sdpa", {"causal": "lower_right"}, q=ql, k=k[:1, :2], v=v[:1, :2],
           out=attention_reference(ql, k[:1, :2], v[:1, :2], causal="lower_right"))
    g.case("sdpa", {"causal": "upper_left"}, q=ql, k=k[:1, :2], v=v[:1, :2],
           out=attention_reference(ql, k[:1, :2], v[:1, :2], causal="upper_left"))
    qg, kg, vg = torch.randn(1, 4, 5, 8), torch.randn(1, 2, 7, 8), torch.randn(1, 2, 7, 8)
    g.case("sdpa", {"gqa": True}, q=qg, k=kg, v=vg, out=attention_reference(qg, kg, vg, gqa=True))
    qd = torch.randn(1, 4, 1, 8)
    g.case("sdpa", {"gqa": True, "causal": "lower_right"}, q=qd, k=kg, v=vg,
           out=attention_reference(qd, kg, vg, gqa=True, causal="lower_right"))
    qb, kb, vb = (t.to(torch.bfloat16) for t in (q, k, v))
    g.case("sdpa", {}, q=qb, k=kb, v=vb, out=attention_reference(qb, kb, vb))
    # Long enough to cross several query and key blocks of the fused kernel.
    ql2, kl2, vl2 = torch.randn(1, 2, 150, 16), torch.randn(1, 2, 170, 16), torch.randn(1, 2, 170, 16)
    g.case("sdpa", {"causal": "lower_right"}, q=ql2, k=kl2, v=vl2, out=attention_reference(ql2, kl2, vl2, causal="lower_right"))

    x = torch.randn(2, 3, 5, 8)
    pos = torch.arange(3, 8)
    g.case("rope", {"theta": 10000.0}, x=x, pos=pos, out=hf_rope(x, pos))
    pos2 = torch.tensor([[0, 1, 2, 3, 4], [7, 100, 1000, 2000, 2047]])
    g.case("rope", {"theta": 10000.0}, x=x, pos=pos2, out=hf_rope(x, pos2))
    for dtype in (torch.bfloat16, torch.float16):
        xh = x.to(dtype)
        g.case("rope", {"theta": 10000.0}, x=xh, pos=pos2, out=hf_rope(xh, pos2))
    x16 = torch.randn(1, 2, 4, 16)
    g.case("rope", {"theta": 500000.0}, x=x16, pos=pos[:4], out=hf_rope(x16, pos[:4], base=500000.0))
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# indexing, reductions, sorting


def indexing():
    g = Golden("ops_index.safetensors")
    torch.manual_seed(8)
    w = torch.randn(11, 6)
    ids = torch.tensor([[0, 3, 10], [3, 5, 1]])
    g.case("embedding", {}, ids=ids, w=w, out=F.embedding(ids, w))
    g.case("embedding", {}, ids=ids.int(), w=w.to(torch.bfloat16), out=F.embedding(ids, w.to(torch.bfloat16)))
    x = torch.randn(3, 5, 4)
    idx = torch.tensor([4, 0, 0, 2])
    g.case("index_select", {"dim": 1}, x=x, index=idx, out=torch.index_select(x, 1, idx))
    gi = torch.randint(0, 5, (3, 2, 4))
    g.case("gather", {"dim": 1}, x=x, index=gi, out=torch.gather(x, 1, gi))
    gi0 = torch.randint(0, 3, (2, 5, 4))
    g.case("gather", {"dim": 0}, x=x, index=gi0, out=torch.gather(x, 0, gi0))
    base = torch.randn(3, 5, 4)
    si = torch.tensor([[[0, 1, 2, 3], [4, 0, 1, 2]], [[1, 1, 1, 1], [0, 2, 4, 3]], [[3, 2, 1, 0], [4, 4, 4, 4]]])
    src = torch.randn(3, 2, 4)
    g.case("scatter", {"dim": 1}, x=base, index=si, src=src, out=torch.scatter(base, 1, si, src))
    grad = torch.zeros(11, 6)
    dup = torch.tensor([[0, 3, 10], [3, 5, 3]]).reshape(-1, 1).expand(-1, 6)
    upstream = torch.randn(6, 6)
    g.case("scatter_add", {"dim": 0}, x=grad, index=dup, src=upstream, out=torch.scatter_add(grad, 0, dup, upstream))
    parts = [torch.randn(3, 2, 4), torch.randn(3, 5, 4), torch.randn(3, 1, 4)]
    g.case("cat", {"dim": 1}, t0=parts[0], t1=parts[1], t2=parts[2], out=torch.cat(parts, 1))
    parts = [torch.randn(2, 3), torch.randn(4, 3)]
    g.case("cat", {"dim": 0}, t0=parts[0], t1=parts[1], out=torch.cat(parts, 0))
    parts = [torch.randn(2, 3), torch.randn(2, 5).to(torch.bfloat16)]
    g.case("cat", {"dim": -1}, t0=parts[0], t1=parts[1], out=torch.cat([parts[0], parts[1].float()], -1))

    x = torch.randn(1, 2, 4, 5)
    g.case("interpolate", {"scale": 2.0}, x=x, out=F.interpolate(x, scale_factor=2.0, mode="nearest"))
    g.case("interpolate", {"scale": 1.5}, x=x, out=F.interpolate(x, scale_factor=1.5, mode="nearest"))
    g.case("interpolate", {"size": [7, 9]}, x=x, out=F.interpolate(x, size=(7, 9), mode="nearest"))
    g.case("interpolate", {"size": [3, 2]}, x=x, out=F.interpolate(x, size=(3, 2), mode="nearest"))

    x = torch.randn(3, 4, 5)
    for dims, keep in [([1], False), ([0, 2], True), ([], False), ([-1], True)]:
        d = dims if dims else list(range(3))
        g.case("sum", {"dims": dims, "keepdim": keep}, x=x, out=torch.sum(x, d, keepdim=keep))
        g.case("mean", {"dims": dims, "keepdim": keep}, x=x, out=torch.mean(x, d, keepdim=keep))
        g.case("amax", {"dims": dims, "keepdim": keep}, x=x, out=torch.amax(x, d, keepdim=keep))
        g.case("amin", {"dims": dims, "keepdim": keep}, x=x, out=torch.amin(x, d, keepdim=keep))
    for correction in (1, 0):
        g.case("var", {"dims": [1, 2], "correction": correction, "keepdim": False}, x=x,
               out=torch.var(x, [1, 2], unbiased=correction == 1))
    xb = x.to(torch.bfloat16)
    g.case("sum", {"dims": [2], "keepdim": False}, x=xb, out=in_f32(lambda a: a.sum(2), xb, dtype=torch.bfloat16))
    ints = torch.randint(-9, 9, (3, 4))
    g.case("sum", {"dims": [1], "keepdim": False}, x=ints, out=ints.sum(1))
    g.case("argmax", {"dim": 1, "keepdim": False}, x=x, out=torch.argmax(x, 1))
    g.case("argmax", {"dim": None, "keepdim": False}, x=x, out=torch.argmax(x))
    g.case("argmin", {"dim": 2, "keepdim": True}, x=x, out=torch.argmin(x, 2, keepdim=True))
    g.case("cumsum", {"dim": 1}, x=x, out=torch.cumsum(x, 1))
    mask = torch.tensor([[0, 1, 1, 1, 0], [1, 1, 1, 1, 1]])
    g.case("cumsum", {"dim": 1}, x=mask, out=torch.cumsum(mask, 1))

    x = torch.randn(4, 9)
    for k, largest in [(3, True), (2, False), (9, True)]:
        values, indices = torch.topk(x, k, dim=-1, largest=largest)
        g.case("topk", {"k": k, "dim": -1, "largest": largest}, x=x, values=values, indices=indices)
    for dim, desc in [(-1, True), (0, False)]:
        values, indices = torch.sort(x, dim=dim, descending=desc)
        g.case("sort", {"dim": dim, "descending": desc}, x=x, values=values, indices=indices)
    g.save()


# ----------------------------------------------------------------------------------------------------------------
# whole blocks


def llama_layer(p, x, position_ids, heads, eps=1e-6):
    """transformers 4.31 LlamaDecoderLayer (causal self-attention, no cache), weights in dict p."""
    b, t, c = x.shape
    d = c // heads
    residual = x
    h = hf_rms_norm(x, p["input_layernorm"], eps)
    q = F.linear(h, p["q_proj"]).view(b, t, heads, d).transpose(1, 2)
    k = F.linear(h, p["k_proj"]).view(b, t, heads, d).transpose(1, 2)
    v = F.linear(h, p["v_proj"]).view(b, t, heads, d).transpose(1, 2)
    q, k = hf_rope(q, position_ids), hf_rope(k, position_ids)
    scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)
    causal = torch.full((t, t), torch.finfo(scores.dtype).min).triu(1)
    scores = scores + causal
    weights = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    attn = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, c)
    x = residual + F.linear(attn, p["o_proj"])
    residual = x
    h = hf_rms_norm(x, p["post_attention_layernorm"], eps)
    mlp = F.linear(F.silu(F.linear(h, p["gate_proj"])) * F.linear(h, p["up_proj"]), p["down_proj"])
    return residual + mlp


def resnet_block(p, x, temb, groups=32, eps=1e-5):
    """diffusers ResnetBlock2D (default time embedding norm, conv shortcut when channels change)."""
    h = F.silu(F.group_norm(x, groups, p["norm1.weight"], p["norm1.bias"], eps))
    h = F.conv2d(h, p["conv1.weight"], p["conv1.bias"], padding=1)
    if temb is not None:
        h = h + F.linear(F.silu(temb), p["time_emb_proj.weight"], p["time_emb_proj.bias"])[:, :, None, None]
    h = F.silu(F.group_norm(h, groups, p["norm2.weight"], p["norm2.bias"], eps))
    h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1)
    if "conv_shortcut.weight" in p:
        x = F.conv2d(x, p["conv_shortcut.weight"], p["conv_shortcut.bias"])
    return x + h


def diffusers_attention(x, context, p, prefix, heads):
    """diffusers Attention (AttnProcessor): to_q/to_k/to_v without bias, softmax(q kᵀ·scale), to_out[0] with bias."""
    context = x if context is None else context
    q = F.linear(x, p[prefix + "to_q.weight"])
    k = F.linear(context, p[prefix + "to_k.weight"])
    v = F.linear(context, p[prefix + "to_v.weight"])
    b, t, inner = q.shape
    d = inner // heads
    q, k, v = (y.view(b, -1, heads, d).transpose(1, 2) for y in (q, k, v))
    weights = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
    out = (weights @ v).transpose(1, 2).reshape(b, t, inner)
    return F.linear(out, p[prefix + "to_out.0.weight"], p[prefix + "to_out.0.bias"])


def spatial_transformer(p, x, context, heads):
    """diffusers Transformer2DModel with use_linear_projection=True (SD 2.x) and one BasicTransformerBlock."""
    b, c, hh, ww = x.shape
    residual = x
    h = F.group_norm(x, 32, p["norm.weight"], p["norm.bias"], 1e-6)
    h = h.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
    h = F.linear(h, p["proj_in.weight"], p["proj_in.bias"])
    n = lambda name, y: F.layer_norm(y, (y.shape[-1],), p[name + ".weight"], p[name + ".bias"], 1e-5)
    h = diffusers_attention(n("block.norm1", h), None, p, "block.attn1.", heads) + h
    h = diffusers_attention(n("block.norm2", h), context, p, "block.attn2.", heads) + h
    ff_in = n("block.norm3", h)
    proj = F.linear(ff_in, p["block.ff.net.0.proj.weight"], p["block.ff.net.0.proj.bias"])
    hidden, gate = proj.chunk(2, dim=-1)
    h = F.linear(hidden * F.gelu(gate), p["block.ff.net.2.weight"], p["block.ff.net.2.bias"]) + h
    h = F.linear(h, p["proj_out.weight"], p["proj_out.bias"])
    h = h.reshape(b, hh, ww, c).permute(0, 3, 1, 2)
    return h + residual


def vae_mid_block(p, x):
    """diffusers UNetMidBlock2D of the VAE: resnet, single-head attention with GroupNorm, resnet (eps 1e-6)."""
    h = resnet_block({k[len("resnets.0."):]: v for k, v in p.items() if k.startswith("resnets.0.")}, x, None, eps=1e-6)
    b, c, hh, ww = h.shape
    residual = h
    a = F.group_norm(h, 32, p["attentions.0.group_norm.weight"], p["attentions.0.group_norm.bias"], 1e-6)
    a = a.view(b, c, hh * ww).transpose(1, 2)
    q = F.linear(a, p["attentions.0.to_q.weight"], p["attentions.0.to_q.bias"])
    k = F.linear(a, p["attentions.0.to_k.weight"], p["attentions.0.to_k.bias"])
    v = F.linear(a, p["attentions.0.to_v.weight"], p["attentions.0.to_v.bias"])
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c), dim=-1)
    a = F.linear(weights @ v, p["attentions.0.to_out.0.weight"], p["attentions.0.to_out.0.bias"])
    h = a.transpose(1, 2).reshape(b, c, hh, ww) + residual
    return resnet_block({k[len("resnets.1."):]: v for k, v in p.items() if k.startswith("resnets.1.")}, h, None, eps=1e-6)


def rand_params(shapes, scale=None):
    out = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight") or ".norm" in name and name.endswith(".weight") or name.startswith("norm") and name.endswith("weight") \
                or "layernorm" in name or "group_norm.weight" in name:
            out[name] = 1 + 0.1 * torch.randn(*shape)
        elif name.endswith("bias") or "norm" in name:
            out[name] = 0.1 * torch.randn(*shape)
        else:
            fan_in = shape[1] if len(shape) == 2 else (shape[1] * shape[2] * shape[3] if len(shape) == 4 else shape[0])
            out[name] = torch.randn(*shape) / math.sqrt(fan_in)
    return out


def blocks():
    g = Golden("blocks.safetensors")
    torch.manual_seed(10)

    c, heads, ffn = 64, 4, 172
    llama = rand_params({
        "input_layernorm": (c,), "post_attention_layernorm": (c,),
        "q_proj": (c, c), "k_proj": (c, c), "v_proj": (c, c), "o_proj": (c, c),
        "gate_proj": (ffn, c), "up_proj": (ffn, c), "down_proj": (c, ffn),
    })
    x = torch.randn(2, 7, c)
    pos = torch.arange(7)
    g.case("llama_layer", {"heads": heads, "eps": 1e-6, "dtype": "float32"}, x=x, pos=pos,
           out=llama_layer(llama, x, pos, heads), **{"p." + k: v for k, v in llama.items()})
    llama_bf16 = {k: v.to(torch.bfloat16) for k, v in llama.items()}
    xb = x.to(torch.bfloat16)
    g.case("llama_layer", {"heads": heads, "eps": 1e-6, "dtype": "bfloat16"}, x=xb, pos=pos,
           out=llama_layer(llama_bf16, xb, pos, heads), **{"p." + k: v for k, v in llama_bf16.items()})

    cin, cout, tdim = 32, 64, 40
    resnet = rand_params({
        "norm1.weight": (cin,), "norm1.bias": (cin,), "conv1.weight": (cout, cin, 3, 3), "conv1.bias": (cout,),
        "time_emb_proj.weight": (cout, tdim), "time_emb_proj.bias": (cout,),
        "norm2.weight": (cout,), "norm2.bias": (cout,), "conv2.weight": (cout, cout, 3, 3), "conv2.bias": (cout,),
        "conv_shortcut.weight": (cout, cin, 1, 1), "conv_shortcut.bias": (cout,),
    })
    x = torch.randn(2, cin, 8, 8)
    temb = torch.randn(2, tdim)
    g.case("resnet_block", {"groups": 32, "eps": 1e-5}, x=x, temb=temb, out=resnet_block(resnet, x, temb),
           **{"p." + k: v for k, v in resnet.items()})

    c, heads, ctx_dim, ff = 64, 2, 1024, 256
    st = rand_params({
        "norm.weight": (c,), "norm.bias": (c,), "proj_in.weight": (c, c), "proj_in.bias": (c,),
        "block.norm1.weight": (c,), "block.norm1.bias": (c,), "block.norm2.weight": (c,), "block.norm2.bias": (c,),
        "block.norm3.weight": (c,), "block.norm3.bias": (c,),
        "block.attn1.to_q.weight": (c, c), "block.attn1.to_k.weight": (c, c), "block.attn1.to_v.weight": (c, c),
        "block.attn1.to_out.0.weight": (c, c), "block.attn1.to_out.0.bias": (c,),
        "block.attn2.to_q.weight": (c, c), "block.attn2.to_k.weight": (c, ctx_dim), "block.attn2.to_v.weight": (c, ctx_dim),
        "block.attn2.to_out.0.weight": (c, c), "block.attn2.to_out.0.bias": (c,),
        "block.ff.net.0.proj.weight": (2 * ff, c), "block.ff.net.0.proj.bias": (2 * ff,),
        "block.ff.net.2.weight": (c, ff), "block.ff.net.2.bias": (c,),
        "proj_out.weight": (c, c), "proj_out.bias": (c,),
    })
    x = torch.randn(1, c, 4, 4)
    context = torch.randn(1, 77, ctx_dim)
    g.case("spatial_transformer", {"heads": heads}, x=x, context=context, out=spatial_transformer(st, x, context, heads),
           **{"p." + k: v for k, v in st.items()})

    c = 32
    mid = {}
    for r in ("resnets.0.", "resnets.1."):
        mid |= {r + k: v for k, v in rand_params({
            "norm1.weight": (c,), "norm1.bias": (c,), "conv1.weight": (c, c, 3, 3), "conv1.bias": (c,),
            "norm2.weight": (c,), "norm2.bias": (c,), "conv2.weight": (c, c, 3, 3), "conv2.bias": (c,)}).items()}
    mid |= {"attentions.0." + k: v for k, v in rand_params({
        "group_norm.weight": (c,), "group_norm.bias": (c,), "to_q.weight": (c, c), "to_q.bias": (c,),
        "to_k.weight": (c, c), "to_k.bias": (c,), "to_v.weight": (c, c), "to_v.bias": (c,),
        "to_out.0.weight": (c, c), "to_out.0.bias": (c,)}).items()}
    x = torch.randn(1, c, 6, 6)
    g.case("vae_mid_block", {}, x=x, out=vae_mid_block(mid, x), **{"p." + k: v for k, v in mid.items()})

    layer = torch.nn.TransformerDecoderLayer(d_model=64, nhead=4, dim_feedforward=128, dropout=0.0,
                                             batch_first=True, norm_first=True)
    with torch.no_grad():
        for prm in layer.parameters():
            prm.add_(0.05 * torch.randn_like(prm))
    layer.eval()
    tgt = torch.randn(2, 9, 64)
    memory = torch.randn(2, 8, 64)
    with torch.no_grad():
        out = layer(tgt, memory)
    g.case("transformer_decoder_layer", {"heads": 4, "eps": 1e-5}, tgt=tgt, memory=memory, out=out,
           **{"p." + k: v.detach() for k, v in layer.state_dict().items()})
    g.save()


if __name__ == "__main__":
    os.makedirs(ROOT, exist_ok=True)
    torch.set_num_threads(1)
    core()
    elementwise()
    linalg()
    norms()
    attention()
    indexing()
    blocks()
    total = sum(os.path.getsize(os.path.join(ROOT, f)) for f in os.listdir(ROOT))
    print(f"total {total} bytes")
