#!/usr/bin/python3
"""Goldens for whole MiniGPT-5 optimisation steps (MiniGpt5Training.Stage1Parameters / Stage2Parameters + Trainer).

recipe_goldens.py's tiny model, batch, noise and timesteps (torch.manual_seed(777) before each loss; guidance dropout
off, as those goldens), trained for two steps with torch.optim.AdamW (betas 0.9/0.999, eps 1e-8) over the stage's
parameter groups, as our trainer does it:
  * lr: LambdaLR with the linear-warmup lambda of a 2-step run (warmup 1): factor 0 at step 0 (the moments still
    move), 1 at step 1;
  * groups, stage 1: embed + head at lr x ROW_SCALE; fc, mapper transformer, queries at lr x MAPPER_SCALE;
    stage 2: LoRA at lr, embed + head at lr x ROW_SCALE, mapper transformer at lr (fc, queries frozen);
  * weight decay 0.01 in every group; the rows of embed/head below the 9 new ones get zero gradient (peft /
    MiniGPT-5 train only the new tokens) before clipping; clip_grad_norm_(all trained, MAX_NORM);
Writes tests/golden/recipe/step.safetensors: per stage the loss of each step and the parameters after step 2.
Run with /usr/bin/python3 (torch 1.13) after recipe_goldens.py.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minigpt5_goldens as MG  # noqa: E402
import recipe_goldens as RG  # noqa: E402
import sd_reference as R  # noqa: E402
import training_goldens as TG  # noqa: E402

LR, ROW_SCALE, MAPPER_SCALE, WEIGHT_DECAY, MAX_NORM, STEPS = 1e-3, 2.0, 10.0, 0.01, 0.5, 2


def fresh():
    """The model, mapper, images and LoRA tensors of recipe_goldens.py, drawn in its order from its generator."""
    gen = MG.seeded(4242)
    model = MG.LlamaForCausalLM(RG.LLAMA)
    MG.init_llama(model, gen, std=0.2)
    mapper = MG.Mapper(RG.MAPPER)
    MG.init_mapper(mapper, gen)
    images = torch.rand(2, 3, 16, 16, generator=gen) * 2 - 1
    lora = {}
    for i in range(RG.LLAMA["num_hidden_layers"]):
        for name in ("q_proj", "v_proj"):
            a = torch.randn(RG.LORA_RANK, RG.LLAMA["hidden_size"], generator=gen) * 0.3
            b = torch.randn(RG.LLAMA["hidden_size"], RG.LORA_RANK, generator=gen) * 0.3
            lora[(i, name)] = (a, b)
    for p in list(model.parameters()) + list(mapper.parameters()):
        p.requires_grad_(False)
    return model, mapper, images, lora


def train(model, mapper, unet, vae, text, images, groups, use_cap):
    params = [p for g in groups for p in g["params"]]
    for p in params:
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(groups, betas=(0.9, 0.999), eps=1e-8)
    warmup = 1  # min(warmup, max(1, steps / 10)) for a 2-step run
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / warmup if s < warmup else max(0.0, (STEPS - s) / max(1, STEPS - warmup)))
    ids, labels, mask = RG.batch()
    losses, norms = [], []
    for _ in range(STEPS):
        optimizer.zero_grad(set_to_none=True)
        total = RG.stage_loss(model, mapper, unet, vae, text, ids, labels, mask, images, use_cap)[0]
        total.backward()
        model.model.embed_tokens.weight.grad[:RG.BASE] = 0
        model.lm_head.weight.grad[:RG.BASE] = 0
        norms.append(float(torch.nn.utils.clip_grad_norm_(params, MAX_NORM)))
        optimizer.step()
        schedule.step()
        losses.append(float(total))
    return torch.tensor(losses), norms


def main():
    torch.set_num_threads(1)
    unet = RG.component("unet", R.UNet2DConditionModel, "diffusion_pytorch_model.safetensors")
    vae = RG.component("vae", R.AutoencoderKL, "diffusion_pytorch_model.safetensors")
    text = RG.component("text_encoder", R.CLIPTextModel, "model.safetensors")
    g = TG.Golden("step.safetensors")
    settings = {"lr": LR, "row_scale": ROW_SCALE, "mapper_scale": MAPPER_SCALE, "weight_decay": WEIGHT_DECAY,
                "max_norm": MAX_NORM, "steps": STEPS, "warmup": 1}

    model, mapper, images, _ = fresh()
    embed, head = model.model.embed_tokens.weight, model.lm_head.weight
    groups = [
        {"params": [embed, head], "lr": LR * ROW_SCALE, "weight_decay": WEIGHT_DECAY},
        {"params": list(mapper.fc.parameters()), "lr": LR * MAPPER_SCALE, "weight_decay": WEIGHT_DECAY},
        {"params": list(mapper.llm_to_t2i_mapping.parameters()), "lr": LR * MAPPER_SCALE, "weight_decay": WEIGHT_DECAY},
        {"params": [mapper.t2i_decoder_prompt], "lr": LR * MAPPER_SCALE, "weight_decay": WEIGHT_DECAY},
    ]
    losses, norms = train(model, mapper, unet, vae, text, images, groups, True)
    g.case("stage1", dict(settings, grad_norms=norms), losses=losses, embed=embed, head=head, fc0=mapper.fc[0].weight,
           queries=mapper.t2i_decoder_prompt, linear1=mapper.llm_to_t2i_mapping.encoder.layers[0].linear1.weight)

    model, mapper, images, lora = fresh()
    embed, head = model.model.embed_tokens.weight, model.lm_head.weight
    adapters = []
    for (i, name), (a, b) in lora.items():
        model.model.layers[i].self_attn.lora[name] = (a, b, RG.LORA_ALPHA / RG.LORA_RANK)
        adapters += [a, b]
    groups = [
        {"params": adapters, "lr": LR, "weight_decay": WEIGHT_DECAY},
        {"params": [embed, head], "lr": LR * ROW_SCALE, "weight_decay": WEIGHT_DECAY},
        {"params": list(mapper.llm_to_t2i_mapping.parameters()), "lr": LR, "weight_decay": WEIGHT_DECAY},
    ]
    losses, norms = train(model, mapper, unet, vae, text, images, groups, False)
    g.case("stage2", dict(settings, grad_norms=norms), losses=losses, embed=embed, head=head,
           lora_A=lora[(0, "q_proj")][0], lora_B=lora[(1, "v_proj")][1],
           linear1=mapper.llm_to_t2i_mapping.encoder.layers[0].linear1.weight)
    TG.ROOT = RG.OUT
    g.save()


if __name__ == "__main__":
    main()
