#!/usr/bin/python3
"""The PyTorch anchor of `minigpt5 bench unet`: times one component of sd_reference.py on the weights and inputs the
C# bench wrote, and prints one JSON object.

    /usr/bin/python3 tools/reference/sd_bench_torch.py --component unet --config unet.json \
        --weights unet.safetensors --inputs inputs.safetensors --output out.safetensors --repeats 2 [--threads N]

unet: one guided UNet step (batch 2: the inputs' sample [2, 4, 64, 64], timestep, context [2, 77, 1024]).
vae:  one decode of the inputs' latents [1, 4, 64, 64] (scaled by 1/scaling_factor, as the pipeline does).

The model is built on the meta device, materialised uninitialised (to_empty) and filled from the safetensors file, so
only one copy of the weights is ever resident. The peak resident set (VmHWM) is reset after loading, so the reported
peak covers the weights plus the forward pass, as the C# side measures it. torch keeps its default thread count
unless --threads is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_reference as R  # noqa: E402


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--component", choices=["unet", "vae"], required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    with open(args.config) as f:
        config = json.load(f)
    build = R.UNet2DConditionModel if args.component == "unet" else R.AutoencoderKL
    with R.on_device("meta"):
        model = build(config)
    model = model.to_empty(device="cpu")
    state = R.load_safetensors(args.weights, copy=False)
    model.load_state_dict(state, strict=True)
    del state
    model.eval()
    inputs = R.load_safetensors(args.inputs)
    peak_was_reset = reset_peak()

    def run():
        with torch.no_grad():
            if args.component == "unet":
                return model(inputs["sample"], inputs["timestep"], inputs["context"])
            return model.decode(inputs["latents"] / config.get("scaling_factor", 0.18215))

    start = time.perf_counter()
    output = run()
    warmup = time.perf_counter() - start
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        output = run()
        times.append(time.perf_counter() - start)
    R.save_safetensors(args.output, {"output": output})
    print(json.dumps({
        "component": args.component,
        "seconds": min(times) if times else warmup,
        "warmup_seconds": warmup,
        "all_seconds": times,
        "peak_rss_bytes": peak_rss_bytes(),
        "peak_reset_after_load": peak_was_reset,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
