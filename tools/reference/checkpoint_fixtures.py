#!/usr/bin/python3
"""Writes the checkpoint fixtures under tests/golden/checkpoints/ and the values the C# tests compare with.

Run with Debian's interpreter, which has torch 1.13 (OmegaConf comes from `apt-get install python3-omegaconf`):

    /usr/bin/python3 tools/reference/checkpoint_fixtures.py

Every fixture is tiny (a few KB). expected.json lists, for each file or folder, either the tensors PyTorch
itself loads from it (dtype, shape, strides, storage offset, values, which tensors share a storage) plus a
few non-tensor values, or the reason it must be refused (the Python global a hostile pickle names, or the
layout that is unsupported). The C# tests read expected.json; they never run Python.

Regenerating rewrites identical bytes except for the legacy-layout files, whose storage keys are memory
addresses chosen by torch.

Hostile pickles are only ever *written* here (pickle.dumps of objects whose __reduce__ names os.system and
friends); nothing in this script loads them.
"""

import argparse
import collections
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import types
import zipfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "checkpoints")
OUT = os.path.normpath(OUT)

TORCH_NAMES = {
    torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float64: "float64",
    torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
    torch.bool: "bool",
}
ST_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int64: "I64",
    torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}
# The reference safetensors writer sorts by its Dtype enum, descending, then by name.
ST_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "F16": 7, "BF16": 8, "I32": 9, "F32": 11, "F64": 12, "I64": 13}

manifest = {"generator": "tools/reference/checkpoint_fixtures.py", "torch": torch.__version__, "fixtures": []}


def values(t):
    """Row-major values as JSON numbers; f16/bf16 widened to float exactly."""
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.reshape(-1).tolist()


def describe(t):
    return {
        "dtype": TORCH_NAMES[t.dtype],
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "offset": t.storage_offset(),
        "values": values(t),
    }


def shared_groups(tensors):
    """Names of tensors that view one storage, as PyTorch reports after loading."""
    by_ptr = collections.OrderedDict()
    for name, t in tensors.items():
        by_ptr.setdefault(t.storage().data_ptr(), []).append(name)
    return [names for names in by_ptr.values() if len(names) > 1]


def flatten(obj, prefix=""):
    out = collections.OrderedDict()
    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}.{i}" if prefix else str(i)))
    return out


def record_torch(rel, state_dict_path, key=None, extra=None, note=""):
    """Loads the fixture back with torch.load and records what it holds."""
    path = os.path.join(OUT, rel)
    loaded = torch.load(path)
    node = loaded
    for part in [p for p in state_dict_path.split("/") if p]:
        node = node[part]
    tensors = flatten(node)
    entry = {
        "file": rel,
        "kind": "tensors",
        "key": key,
        "state_dict_path": state_dict_path,
        "note": note,
        "tensors": {name: describe(t) for name, t in tensors.items()},
        "shared": shared_groups(tensors),
    }
    if extra:
        entry["extra"] = extra
    manifest["fixtures"].append(entry)


def record_refused(rel, exception, needle, note):
    manifest["fixtures"].append({"file": rel, "kind": "refused", "exception": exception, "message_contains": needle, "note": note})


def save(obj, rel, **kwargs):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path, **kwargs)
    return path


def gen(seed):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- plain state dicts, every dtype
def plain_fixtures():
    g = gen(1)
    sd = collections.OrderedDict()
    sd["linear.weight"] = torch.randn(3, 4, generator=g)
    sd["linear.bias"] = torch.randn(4, generator=g)
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    save(sd, "plain_f32.pt")
    record_torch("plain_f32.pt", "", note="float32 state dict with a scalar, an empty tensor and an nn.Parameter")

    sd = collections.OrderedDict()
    sd["half"] = (torch.randn(2, 3, generator=g) * 100).half()
    sd["bf16"] = (torch.randn(5, generator=g) * 1e-3).bfloat16()
    sd["long"] = torch.tensor([[-(2 ** 62), 0, 7], [2 ** 40, -1, 123456789012]], dtype=torch.int64)
    sd["mask"] = torch.tensor([True, False, True, True])
    sd["double"] = torch.randn(3, generator=g, dtype=torch.float64)
    sd["int"] = torch.tensor([-5, 2 ** 31 - 1], dtype=torch.int32)
    sd["byte"] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    sd["char"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["short"] = torch.tensor([-32768, 32767, 3], dtype=torch.int16)
    save(sd, "plain_dtypes.pt")
    record_torch("plain_dtypes.pt", "", note="one tensor of each dtype")

    # A real module's state_dict(): an OrderedDict carrying `_metadata` (set through BUILD), buffers included.
    torch.manual_seed(11)
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2), torch.nn.BatchNorm1d(2))
    save(net.state_dict(), "module_state_dict.pt")
    record_torch("module_state_dict.pt", "", note="nn.Module.state_dict() with _metadata and BatchNorm buffers (num_batches_tracked is int64)")

    # Pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL) and 5 instead of torch's default 2.
    for protocol in (4, 5):
        sd = collections.OrderedDict(a=torch.randn(2, 2, generator=g), b=torch.arange(3), h=torch.ones(2).half())
        sd["a_t"] = sd["a"].t()
        save(sd, f"protocol{protocol}.pt", pickle_protocol=protocol)
        record_torch(f"protocol{protocol}.pt", "", note=f"torch.save with pickle_protocol={protocol}")

    # What `minigpt5 convert --dtype f16|bf16` must produce from plain_f32.pt (torch's own rounding).
    loaded = torch.load(os.path.join(OUT, "plain_f32.pt"))
    manifest["conversions"] = {
        "plain_f32.pt": {
            "float16": {k: values(v.half()) for k, v in loaded.items()},
            "bfloat16": {k: values(v.bfloat16()) for k, v in loaded.items()},
        }
    }


# ---------------------------------------------------------------- views and shared storages
def shared_fixtures():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    tied = torch.randn(3, 2, generator=gen(2))
    half_base = torch.arange(10, dtype=torch.float16)
    sd = collections.OrderedDict()
    sd["base"] = base
    sd["transposed"] = base.t()
    sd["block"] = base[1:3, 2:5]
    sd["row"] = base[2]
    sd["every_other_column"] = base[:, ::2]
    sd["tied_a"] = tied
    sd["tied_b"] = tied
    sd["half_tail"] = half_base[4:]
    sd["half_base"] = half_base
    save(sd, "shared_views.pt")
    record_torch("shared_views.pt", "", note="views with offsets and strides; tensors sharing storages")

    # Only a slice of a big tensor is saved: torch writes the whole storage and an offset into it.
    big = torch.arange(100, dtype=torch.int64)
    save({"window": big[90:95]}, "slice_of_bigger.pt")
    record_torch("slice_of_bigger.pt", "", note="a 5-element view of a 100-element storage")


# ---------------------------------------------------------------- Lightning, LAVIS, MiniGPT-5 layouts
def install_fake_lightning():
    """AttributeDict lives in pytorch_lightning, which is not installed: register a stand-in with the same
    module path so the pickle names it exactly as Lightning's does."""
    for name in ["pytorch_lightning", "pytorch_lightning.utilities", "pytorch_lightning.utilities.parsing"]:
        sys.modules.setdefault(name, types.ModuleType(name))

    class AttributeDict(dict):
        def __getattr__(self, key):
            return self[key]

    AttributeDict.__module__ = "pytorch_lightning.utilities.parsing"
    AttributeDict.__qualname__ = "AttributeDict"
    sys.modules["pytorch_lightning.utilities.parsing"].AttributeDict = AttributeDict
    return AttributeDict


def lightning_fixtures():
    import omegaconf

    AttributeDict = install_fake_lightning()
    g = gen(3)
    state = collections.OrderedDict()
    state["model.llama_model.lm_head.weight"] = torch.randn(5, 4, generator=g)
    state["fc.0.weight"] = torch.randn(3, 4, generator=g)
    state["fc.0.bias"] = torch.randn(3, generator=g)
    state["t2i_decoder_prompt"] = torch.randn(1, 2, 3, generator=g)
    args = argparse.Namespace(lr=1e-4, stage="stage1", image_size=224, use_lora=False)
    ckpt = {
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "1.9.0",
        "state_dict": state,
        "loops": {"fit_loop": {"epoch_progress": {"total": {"ready": 4, "completed": 3}}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val_loss'}": {"best_model_score": torch.tensor(0.25), "dirpath": "/ckpt"}},
        "optimizer_states": [{"state": {0: {"step": torch.tensor(120.0), "exp_avg": torch.zeros(3)}},
                              "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "params": [0], "amsgrad": False}]}],
        "lr_schedulers": [],
        "hparams_name": "kwargs",
        "hyper_parameters": AttributeDict(args=args, lr=1e-4, name="minigpt5", stages={1, 2}, frozen=frozenset(["vae"]),
                                          blob=b"\x00\x01\xff", size=torch.Size([2, 3])),
    }
    save(ckpt, "lightning.ckpt")
    record_torch("lightning.ckpt", "state_dict", extra={"epoch": 3, "global_step": 120, "hparams_lr": 1e-4, "hparams_args_stage": "stage1",
                                                        "hparams_blob": [0, 1, 255], "hparams_size": [2, 3]},
                 note="Lightning checkpoint: state_dict beside epoch, loops, callbacks, optimizer states and AttributeDict hparams with an argparse.Namespace")

    conf = omegaconf.OmegaConf.create({"model": {"lr": 0.0001, "layers": [1, 2], "name": "x"}, "seed": 42})
    ckpt = {"epoch": 1, "state_dict": collections.OrderedDict(w=torch.ones(2)), "hyper_parameters": conf, "hparams_type": type(conf)}
    save(ckpt, "lightning_omegaconf.ckpt")
    record_torch("lightning_omegaconf.ckpt", "state_dict", extra={"epoch": 1},
                 note="Lightning checkpoint whose hyper_parameters are an OmegaConf DictConfig")

    lavis = {
        "model": collections.OrderedDict([("llama_proj.weight", torch.randn(8, 6, generator=g)), ("llama_proj.bias", torch.randn(8, generator=g))]),
        "optimizer": {"state": {}, "param_groups": [{"lr": 3e-5, "weight_decay": 0.05, "params": [0, 1]}]},
        "config": {"run": {"task": "image_text_pretrain", "amp": True}},
        "scaler": {"scale": 65536.0, "growth_factor": 2.0},
        "epoch": 5,
    }
    save(lavis, "lavis.pth")
    record_torch("lavis.pth", "model", extra={"epoch": 5}, note="LAVIS/MiniGPT-4 checkpoint: {'model': state_dict, 'optimizer': ..., 'config': ...}")

    # The same file read with an explicit key, and its optimizer picked instead.
    manifest["fixtures"].append({
        "file": "lavis.pth", "kind": "tensors", "key": "scaler", "state_dict_path": "scaler", "tensors": {}, "shared": [],
        "note": "explicit key choosing a dictionary without tensors",
    })


# ---------------------------------------------------------------- other layouts of torch.save
def layout_fixtures():
    g = gen(4)
    sd = collections.OrderedDict()
    sd["a"] = torch.randn(2, 3, generator=g)
    sd["a_t"] = sd["a"].t()
    sd["b"] = torch.arange(4, dtype=torch.int64)
    sd["h"] = torch.randn(3, generator=g).half()
    save(sd, "legacy_format.pt", _use_new_zipfile_serialization=False)
    record_torch("legacy_format.pt", "", note="pre-1.6 layout: pickles followed by raw storages")

    # torch.save to a buffer names the zip folder 'archive' instead of the file's stem.
    buffer = io.BytesIO()
    torch.save(sd, buffer)
    with open(os.path.join(OUT, "buffer_saved.bin"), "wb") as f:
        f.write(buffer.getvalue())
    record_torch("buffer_saved.bin", "", note="zip folder 'archive' (saved to a buffer); .bin extension")

    # The same archive re-zipped with deflate (torch.load accepts it; records can no longer be mapped).
    with zipfile.ZipFile(os.path.join(OUT, "plain_f32.pt")) as src, \
            zipfile.ZipFile(os.path.join(OUT, "deflated.pt"), "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            put(dst, info.filename.replace("plain_f32/", "deflated/"), src.read(info.filename), zipfile.ZIP_DEFLATED)
    record_torch("deflated.pt", "", note="records deflated by a re-zip")

    # PyTorch >= 2.1 writes a byteorder record; a big-endian writer stores every element byte-swapped.
    loaded = torch.load(os.path.join(OUT, "plain_dtypes.pt"))
    with zipfile.ZipFile(os.path.join(OUT, "plain_dtypes.pt")) as src:
        pickled = src.read("plain_dtypes/data.pkl")
    # Swap each storage by its element size, found by matching its bytes against the tensors.
    with zipfile.ZipFile(os.path.join(OUT, "plain_dtypes.pt")) as src:
        records = {i.filename.split("/")[-1]: src.read(i.filename) for i in src.infolist() if "/data/" in i.filename}
    sizes = {}
    for t in loaded.values():
        raw = t.contiguous().numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        for key, rec in records.items():
            if rec == raw:
                sizes[key] = t.element_size()
    assert len(sizes) == len(records), "every storage record must be matched to its tensor"
    with zipfile.ZipFile(os.path.join(OUT, "big_endian.pt"), "w", compression=zipfile.ZIP_STORED) as dst:
        put(dst, "big_endian/data.pkl", pickled)
        put(dst, "big_endian/byteorder", "big")
        for key, rec in records.items():
            n = sizes[key]
            swapped = b"".join(rec[i:i + n][::-1] for i in range(0, len(rec), n))
            put(dst, "big_endian/data/" + key, swapped)
        put(dst, "big_endian/version", "3\n")
    manifest["fixtures"].append(dict(next(f for f in manifest["fixtures"] if f["file"] == "plain_dtypes.pt"),
                                     file="big_endian.pt", note="byteorder 'big': every storage byte-swapped"))

    # A TorchScript archive is a zip too, but not a state dict.
    class Tiny(torch.nn.Module):
        def forward(self, x):
            return x * 2

    torch.jit.save(torch.jit.script(Tiny()), os.path.join(OUT, "torchscript.pt"))
    manifest["fixtures"].append({"file": "torchscript.pt", "kind": "format_error", "message_contains": "TorchScript",
                                 "note": "torch.jit.save archive"})

    # torch.save(model) pickles the module class itself: refused, naming it.
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    save(model, "whole_module.pt")
    record_refused("whole_module.pt", "UnsafePickleException", "torch.nn.modules.container.Sequential",
                   "torch.save(model) pickles module classes, which a weights reader must not build")


# ---------------------------------------------------------------- sharded and multi-component folders
def safetensors_bytes(tensors, metadata=None, pad=True):
    """A safetensors file written exactly as the reference implementation writes it."""
    items = sorted(tensors.items(), key=lambda kv: (-ST_RANK[ST_NAMES[kv[1].dtype]], kv[0].encode("utf-8")))
    header = collections.OrderedDict()
    if metadata:
        header["__metadata__"] = collections.OrderedDict(sorted(metadata.items()))
    data = b""
    for name, t in items:
        t = t.contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = collections.OrderedDict([("dtype", ST_NAMES[t.dtype]), ("shape", list(t.shape)),
                                                ("data_offsets", [len(data), len(data) + len(raw)])])
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def record_tensors(rel, tensors, note, metadata=None, key=None):
    manifest["fixtures"].append({
        "file": rel, "kind": "tensors", "key": key, "state_dict_path": "", "note": note,
        "tensors": {name: describe(t.contiguous()) for name, t in tensors.items()},
        "shared": [], "metadata": metadata or {},
    })


def folder_fixtures():
    g = gen(5)
    # Hugging Face sharded pickles with pytorch_model.bin.index.json.
    shard1 = collections.OrderedDict([("model.embed_tokens.weight", torch.randn(6, 4, generator=g).half()),
                                      ("model.layers.0.self_attn.q_proj.weight", torch.randn(4, 4, generator=g).half())])
    shard2 = collections.OrderedDict([("model.layers.0.self_attn.rotary_emb.inv_freq", 1.0 / (10000 ** (torch.arange(0, 4, 2).float() / 4))),
                                      ("model.norm.weight", torch.ones(4).half()),
                                      ("lm_head.weight", torch.randn(6, 4, generator=g).half())])
    save(shard1, "hf_sharded/pytorch_model-00001-of-00002.bin")
    save(shard2, "hf_sharded/pytorch_model-00002-of-00002.bin")
    index = {"metadata": {"total_size": sum(t.numel() * t.element_size() for t in list(shard1.values()) + list(shard2.values()))},
             "weight_map": {**{k: "pytorch_model-00001-of-00002.bin" for k in shard1}, **{k: "pytorch_model-00002-of-00002.bin" for k in shard2}}}
    write("hf_sharded/pytorch_model.bin.index.json", json.dumps(index, indent=2).encode())
    record_tensors("hf_sharded", {**shard1, **shard2}, "Hugging Face folder: two .bin shards and their index")

    # The same model as sharded safetensors.
    write("hf_sharded_safetensors/model-00001-of-00002.safetensors", safetensors_bytes(shard1, {"format": "pt"}))
    write("hf_sharded_safetensors/model-00002-of-00002.safetensors", safetensors_bytes(shard2, {"format": "pt"}))
    index["weight_map"] = {**{k: "model-00001-of-00002.safetensors" for k in shard1}, **{k: "model-00002-of-00002.safetensors" for k in shard2}}
    write("hf_sharded_safetensors/model.safetensors.index.json", json.dumps(index, indent=2).encode())
    record_tensors("hf_sharded_safetensors", {**shard1, **shard2}, "Hugging Face folder: two safetensors shards and their index", {"format": "pt"})

    # diffusers pipeline: components in subfolders, an fp16 variant beside the full-precision weights.
    unet = collections.OrderedDict([("conv_in.weight", torch.randn(2, 4, 3, 3, generator=g)), ("conv_in.bias", torch.randn(2, generator=g))])
    vae = collections.OrderedDict([("decoder.conv_out.weight", torch.randn(3, 2, 1, 1, generator=g))])
    write("diffusers/unet/diffusion_pytorch_model.safetensors", safetensors_bytes(unet))
    write("diffusers/unet/diffusion_pytorch_model.fp16.safetensors", safetensors_bytes({k: v.half() for k, v in unet.items()}))
    save(vae, "diffusers/vae/diffusion_pytorch_model.bin")
    write("diffusers/model_index.json", json.dumps({"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
                                                    "vae": ["diffusers", "AutoencoderKL"]}).encode())
    record_tensors("diffusers/unet", unet, "diffusers component folder (safetensors)")
    manifest["fixtures"].append(dict(manifest["fixtures"][-1], file="diffusers/unet", variant="fp16",
                                     tensors={k: describe(v.half()) for k, v in unet.items()}, note="fp16 variant"))
    record_tensors("diffusers/vae", vae, "diffusers component folder (.bin pickle)")


# ---------------------------------------------------------------- safetensors written by hand
def safetensors_fixtures():
    g = gen(6)
    tensors = collections.OrderedDict()
    tensors["w.f32"] = torch.randn(2, 3, generator=g)
    tensors["w.f16"] = torch.randn(3, generator=g).half()
    tensors["w.bf16"] = torch.randn(2, 2, generator=g).bfloat16()
    tensors["ids"] = torch.tensor([3, -4, 5], dtype=torch.int64)
    tensors["mask"] = torch.tensor([[True], [False]])
    tensors["scalar"] = torch.tensor(1.5, dtype=torch.float64)
    tensors["empty"] = torch.zeros(0, 2)
    tensors["bytes"] = torch.tensor([1, 2, 250], dtype=torch.uint8)
    metadata = {"format": "pt", "note": "hand-written \"quoted\" \u00e9"}
    write("handmade.safetensors", safetensors_bytes(tensors, metadata))
    record_tensors("handmade.safetensors", tensors, "written byte for byte as the reference writer does", metadata)

    # A header whose length is not a multiple of 8: tensors are then misaligned inside the file.
    write("unpadded.safetensors", safetensors_bytes(collections.OrderedDict(x=torch.arange(5, dtype=torch.float32)), None, pad=False))
    record_tensors("unpadded.safetensors", {"x": torch.arange(5, dtype=torch.float32)}, "header not padded to 8 bytes")


# ---------------------------------------------------------------- hostile pickles (written, never loaded)
class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def put(z, name, data, compression=zipfile.ZIP_STORED):
    """zipfile.writestr with a fixed timestamp, so regenerated fixtures only change when their content does."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = compression
    z.writestr(info, data)


def hostile_zip(rel, data_pkl):
    """A torch-style zip around a hand-made data.pkl."""
    stem = os.path.splitext(os.path.basename(rel))[0]
    with zipfile.ZipFile(os.path.join(OUT, rel), "w", compression=zipfile.ZIP_STORED) as z:
        put(z, f"{stem}/data.pkl", data_pkl)
        put(z, f"{stem}/version", "3\n")


def hostile_fixtures():
    save({"weight": torch.ones(2), "payload": Reduce(os.system, ("echo pwned",))}, "hostile_os_system.pt")
    record_refused("hostile_os_system.pt", "UnsafePickleException", "posix.system", "__reduce__ calling os.system")

    save({"payload": Reduce(eval, ("__import__('os').getcwd()",))}, "hostile_eval.pt")
    record_refused("hostile_eval.pt", "UnsafePickleException", "builtins.eval", "__reduce__ calling builtins.eval")

    save(collections.OrderedDict(w=torch.zeros(1), p=Reduce(subprocess.Popen, (["true"],))), "hostile_popen.pt")
    record_refused("hostile_popen.pt", "UnsafePickleException", "subprocess.Popen", "__reduce__ calling subprocess.Popen")

    # A tensor pickled with plain pickle: its storage reduces to torch.storage._load_from_bytes (torch.load of embedded bytes).
    hostile_zip("hostile_load_from_bytes.pt", pickle.dumps({"w": torch.ones(3)}, protocol=2))
    record_refused("hostile_load_from_bytes.pt", "UnsafePickleException", "torch.storage._load_from_bytes",
                   "storage pickled by plain pickle: torch.storage._load_from_bytes would unpickle again, unrestricted")

    # Protocol 4 names globals with STACK_GLOBAL from memoised strings.
    hostile_zip("hostile_stack_global.pt", pickle.dumps({"x": Reduce(os.system, ("true",))}, protocol=4))
    record_refused("hostile_stack_global.pt", "UnsafePickleException", "posix.system", "protocol 4 STACK_GLOBAL spelling of os.system")

    # Hidden in Lightning hyper-parameters, far from the weights: the whole file is still refused.
    save({"state_dict": collections.OrderedDict(w=torch.ones(2)), "hyper_parameters": {"cb": Reduce(exec, ("pass",))}}, "hostile_in_hparams.ckpt")
    record_refused("hostile_in_hparams.ckpt", "UnsafePickleException", "builtins.exec", "exec hidden in hyper_parameters")

    # The legacy layout with a hostile object.
    save({"w": torch.ones(2), "p": Reduce(os.system, ("true",))}, "hostile_legacy.pt", _use_new_zipfile_serialization=False)
    record_refused("hostile_legacy.pt", "UnsafePickleException", "posix.system", "legacy layout carrying os.system")

    # A plain pickle (not torch.save) naming an unknown class.
    with open(os.path.join(OUT, "plain_pickle_numpy.pkl"), "wb") as f:
        pickle.dump({"a": np.arange(3)}, f, protocol=2)
    record_refused("plain_pickle_numpy.pkl", "UnsafePickleException", "numpy.core.multiarray._reconstruct", "numpy arrays are not on the allow-list")


# ---------------------------------------------------------------- float conversion goldens
def conversion_goldens():
    g = np.random.default_rng(7)
    specials = [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, 65536.0, 1e10, -1e10, 6.1e-5, 6.103515625e-05,
                5.96e-8, 2.98e-8, 2.9802322387695312e-08, 1e-9, 3.0e38, 3.3895313892515355e+38, 1.0009765625,
                1.00048828125, 1.000244140625, 1.0078125, 1.00390625, 1.001953125, 2 ** -126, 2 ** -133, 2 ** -149,
                float("inf"), float("-inf")]
    rand = np.concatenate([g.standard_normal(400), g.standard_normal(200) * 1e4, g.standard_normal(200) * 1e-6,
                           g.standard_normal(100) * 1e-39]).astype(np.float32)
    # Exact ties for both targets: values half-way between neighbours.
    ties = []
    for base in [1.0, 3.0, 1000.0, 2 ** -14, 2 ** -20]:
        ties += [base + base * 2.0 ** -11, base + base * 3 * 2.0 ** -11, base + base * 2.0 ** -8, base + base * 3 * 2.0 ** -8]
    f32 = np.concatenate([np.array(specials, dtype=np.float32), rand, np.array(ties, dtype=np.float32)])
    bits = f32.view(np.uint32)
    t = torch.from_numpy(f32.copy())
    half_bits = t.half().view(torch.int16).numpy().astype(np.uint16)
    bf16_bits = t.bfloat16().view(torch.int16).numpy().astype(np.uint16)
    nan_bits = [0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FFFFFFF]
    golden = {
        "note": "float32 bit patterns and torch's float16/bfloat16 results (round to nearest even)",
        "float32_bits": [int(b) for b in bits],
        "float16_bits": [int(b) for b in half_bits],
        "bfloat16_bits": [int(b) for b in bf16_bits],
        "nan_float32_bits": nan_bits,
    }
    write("float_conversion.json", json.dumps(golden).encode())


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    plain_fixtures()
    shared_fixtures()
    lightning_fixtures()
    layout_fixtures()
    folder_fixtures()
    safetensors_fixtures()
    hostile_fixtures()
    conversion_goldens()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f"wrote {len(manifest['fixtures'])} fixtures, {total} bytes, to {OUT}")


if __name__ == "__main__":
    main()
