#!/usr/bin/python3
"""PyTorch anchor of `minigpt5 bench train`: MiniGPT-5 stage-1 and stage-2 optimisation steps per second on the CPU.

The model is recipe_goldens.py's tiny MiniGPT-5 (LLaMA 2 layers x 32, mapper 1+1 layers x 32 with 77 queries, the tiny
SD of tests/golden/training/tiny-sd at 16 px) and its batch of two caption-image samples, trained as our trainer does:
forward (input_warp, text loss, vokens, mapper, LDM loss through the frozen VAE/UNet, + CAP in stage 1), backward,
new-row gradient mask, torch.optim.AdamW over the stage's parameter groups. Stage 2 adds LoRA r 2 on q/v.
Prints one JSON line: {"torch", "threads", "stage1_seconds", "stage2_seconds", "shapes"} (best of --repeats, each
the mean of --steps steps after one warm-up step).
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minigpt5_goldens as MG  # noqa: E402
import recipe_goldens as RG  # noqa: E402
import sd_reference as R  # noqa: E402


def timed(step, steps, repeats):
    step()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - t) / steps)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = MG.seeded(4242)
    model = MG.LlamaForCausalLM(RG.LLAMA)
    MG.init_llama(model, gen, std=0.2)
    mapper = MG.Mapper(RG.MAPPER)
    MG.init_mapper(mapper, gen)
    unet = RG.component("unet", R.UNet2DConditionModel, "diffusion_pytorch_model.safetensors")
    vae = RG.component("vae", R.AutoencoderKL, "diffusion_pytorch_model.safetensors")
    text = RG.component("text_encoder", R.CLIPTextModel, "model.safetensors")
    ids, labels, mask = RG.batch()
    images = torch.rand(2, 3, 16, 16, generator=gen) * 2 - 1
    embed, head = model.model.embed_tokens.weight, model.lm_head.weight

    def make_step(params, use_cap):
        for p in list(model.parameters()) + list(mapper.parameters()):
            p.requires_grad_(False)
        for p in params:
            p.requires_grad_(True)
        optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)

        def step():
            optimizer.zero_grad(set_to_none=True)
            total = RG.stage_loss(model, mapper, unet, vae, text, ids, labels, mask, images, use_cap)[0]
            total.backward()
            embed.grad[:RG.BASE] = 0
            head.grad[:RG.BASE] = 0
            optimizer.step()
        return step

    stage1 = make_step([embed, head] + list(mapper.parameters()), True)
    s1 = timed(stage1, args.steps, args.repeats)
    lora = []
    for layer in model.model.layers:
        for name in ("q_proj", "v_proj"):
            a = torch.randn(RG.LORA_RANK, RG.LLAMA["hidden_size"], generator=gen) * 0.3
            b = torch.zeros(RG.LLAMA["hidden_size"], RG.LORA_RANK)
            layer.self_attn.lora[name] = (a, b, RG.LORA_ALPHA / RG.LORA_RANK)
            lora += [a, b]
    stage2 = make_step(lora + [embed, head] + list(mapper.llm_to_t2i_mapping.parameters()), False)
    s2 = timed(stage2, args.steps, args.repeats)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "stage1_seconds": s1, "stage2_seconds": s2}))


if __name__ == "__main__":
    main()
