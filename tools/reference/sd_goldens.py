#!/usr/bin/python3
"""Writes the Stable Diffusion goldens under tests/golden/sd/ and the SD-2.1-base key listing under
tests/data/sd21-base-keys/.

    /usr/bin/python3 tools/reference/sd_goldens.py            # everything
    /usr/bin/python3 tools/reference/sd_goldens.py --keys     # only the full-size key listing

The reference modules live in sd_reference.py (written from the published diffusers/transformers architecture;
no diffusers package is needed). This script:

1. Checks the reference schedulers against the expected sums/means that diffusers' own scheduler tests hard-code
   (tests/schedulers/test_scheduler_{pndm,ddim,dpm_multi,euler_ancestral}.py), so the scheduler goldens below rest
   on published numbers, not only on this port.
2. Builds tiny random-weight models with the real key names (a 2-level UNet, a second UNet in the SD 1.x style with
   conv projections and integer head counts, a 2-level VAE, a 2-layer CLIP text encoder whose vocabulary is
   tests/data/text/clip-sd2) and saves them as a diffusers folder, tests/golden/sd/tiny-sd/ (model_index.json,
   config.json + hand-written safetensors per component, the tokenizer files, scheduler_config.json), plus the VAE
   again under the old attention key names (query/key/value/proj_attn) as a PyTorch .bin.
3. Writes per-block and whole-model outputs, scheduler outputs on the SD-2.1 noise schedule, and full 5-step
   guided sampling runs (PNDM, DDIM, DPM-Solver++ 2M, Euler ancestral, and a prompt-driven PNDM run) from fixed
   seeds, as safetensors files the C# tests read.
4. Instantiates the full-size SD-2.1-base unet/vae/text_encoder on torch's 'meta' device from the published configs
   (tests/data/sd21-base-keys/*/config.json) and writes every parameter name and shape, checking the totals against
   the published sizes (UNet 865.9 M, VAE 83.7 M, text encoder 340.4 M).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_reference as R  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GOLDEN = os.path.join(ROOT, "tests", "golden", "sd")
KEYS = os.path.join(ROOT, "tests", "data", "sd21-base-keys")
TOKENIZER = os.path.join(ROOT, "tests", "data", "text", "clip-sd2")

TINY_UNET = {
    "_class_name": "UNet2DConditionModel",
    "_diffusers_version": "0.21.4",
    "act_fn": "silu",
    "attention_head_dim": [1, 2],
    "block_out_channels": [16, 32],
    "center_input_sample": False,
    "cross_attention_dim": 32,
    "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1,
    "dual_cross_attention": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 4,
    "num_class_embeds": None,
    "only_cross_attention": False,
    "out_channels": 4,
    "sample_size": 16,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
    "upcast_attention": False,
    "use_linear_projection": True,
}

# SD 1.x style: one integer head count for every level, 1x1-conv projections, plus the rarer switches
# (per-level only_cross_attention, two transformer layers in the inner level) so they are covered too.
TINY_UNET_SD1_STYLE = {
    "_class_name": "UNet2DConditionModel",
    "_diffusers_version": "0.21.4",
    "act_fn": "silu",
    "attention_head_dim": 2,
    "block_out_channels": [8, 16],
    "cross_attention_dim": 32,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 4,
    "only_cross_attention": [True, False],
    "out_channels": 4,
    "sample_size": 8,
    "transformer_layers_per_block": [1, 2],
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "upcast_attention": True,
    "use_linear_projection": False,
}

TINY_VAE = {
    "_class_name": "AutoencoderKL",
    "_diffusers_version": "0.21.4",
    "act_fn": "silu",
    "block_out_channels": [8, 16],
    "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 1,
    "norm_num_groups": 4,
    "out_channels": 3,
    "sample_size": 32,
    "scaling_factor": 0.18215,
    "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
}

TINY_TEXT = {
    "architectures": ["CLIPTextModel"],
    "attention_dropout": 0.0,
    "bos_token_id": 0,
    "dropout": 0.0,
    "eos_token_id": 2,
    "hidden_act": "gelu",
    "hidden_size": 32,
    "initializer_factor": 1.0,
    "initializer_range": 0.02,
    "intermediate_size": 64,
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 77,
    "model_type": "clip_text_model",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "pad_token_id": 1,
    "projection_dim": 32,
    "torch_dtype": "float32",
    "vocab_size": 1214,
}

# The scheduler_config.json of stabilityai/stable-diffusion-2-1-base (MODEL_SPEC.md section 1.8).
SD21_SCHEDULER = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.10.0.dev0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}

MODEL_INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "_diffusers_version": "0.21.4",
    "feature_extractor": [None, None],
    "requires_safety_checker": False,
    "safety_checker": [None, None],
    "scheduler": ["diffusers", "PNDMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def randomize(module, seed):
    """Random weights large enough that every block changes its input visibly (PyTorch's default init shrinks
    activations layer by layer, which would hide mistakes deep in the network)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm3.weight") or \
                    "norm" in name.split(".")[-2] and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel() if p.ndim > 1 else p.numel()
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)
    module.eval()
    return module


def state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


# ------------------------------------------------------------------------------------------------------------------
# 1. The published diffusers scheduler test values

def dummy_sample_deter():
    n = 4 * 3 * 8 * 8
    s = torch.arange(n).reshape(3, 8, 8, 4) / n
    return s.permute(3, 0, 1, 2)


def dummy_noise_deter():
    n = 4 * 3 * 8 * 8
    s = torch.arange(n).flip(-1).reshape(3, 8, 8, 4) / n
    return s.permute(3, 0, 1, 2)


def dummy_model(sample, t):
    if torch.is_tensor(t):
        t = t.reshape(-1, *(1,) * (sample.ndim - 1)).to(sample.dtype)
    return sample * t / (t + 1)


def check_published_scheduler_values():
    base = dict(num_train_timesteps=1000, beta_start=0.0001, beta_end=0.02, beta_schedule="linear")

    def pndm(**kw):
        s = R.PNDM(**{**base, **kw})
        s.set_timesteps(10)
        x = dummy_sample_deter()
        for t in s.prk_timesteps:
            x = s.step_prk(dummy_model(x, t), t, x)
        for t in s.plms_timesteps:
            x = s.step_plms(dummy_model(x, t), t, x)
        return x

    def ddim(**kw):
        s = R.DDIM(**{**base, "clip_sample": True, **kw})
        s.set_timesteps(10)
        x = dummy_sample_deter()
        for t in s.timesteps:
            x = s.step(dummy_model(x, t), t, x, 0.0)
        return x

    def dpm(**kw):
        cfg = {**base, "solver_order": 2, "lower_order_final": False, "final_sigmas_type": "sigma_min", **kw}
        s = R.DPMSolverMultistep(**cfg)
        s.set_timesteps(10)
        x = dummy_sample_deter()
        for t in s.timesteps:
            x = s.step(dummy_model(x, t), t, x)
        return x

    def euler(**kw):
        s = R.EulerAncestral(**{**base, "num_train_timesteps": 1100, **kw})
        s.set_timesteps(10)
        g = torch.manual_seed(0)
        x = dummy_sample_deter() * s.init_noise_sigma
        for t in s.timesteps:
            x = s.scale_model_input(x, t)
            x = s.step(dummy_model(x, t), t, x, generator=g)
        return x

    checks = [
        ("pndm", pndm(), 198.1318, 0.2580),
        ("pndm v", pndm(prediction_type="v_prediction"), 67.3986, 0.0878),
        ("pndm alpha one", pndm(set_alpha_to_one=True, beta_start=0.01), 230.0399, 0.2995),
        ("pndm no alpha one", pndm(set_alpha_to_one=False, beta_start=0.01), 186.9482, 0.2434),
        ("ddim", ddim(), 172.0067, 0.223967),
        ("ddim v", ddim(prediction_type="v_prediction"), 52.5302, 0.0684),
        ("ddim alpha one", ddim(set_alpha_to_one=True, beta_start=0.01), 149.8295, 0.1951),
        ("ddim no alpha one", ddim(set_alpha_to_one=False, beta_start=0.01), 149.0784, 0.1941),
        ("dpm", dpm(), None, 0.3301),
        ("dpm v", dpm(prediction_type="v_prediction"), None, 0.2251),
        ("euler-a", euler(), 152.3192, 0.1983),
        ("euler-a v", euler(prediction_type="v_prediction"), 108.4439, 0.1412),
    ]
    for name, x, want_sum, want_mean in checks:
        got_sum, got_mean = x.abs().sum().item(), x.abs().mean().item()
        assert want_sum is None or abs(got_sum - want_sum) < 1e-2, (name, got_sum, want_sum)
        assert abs(got_mean - want_mean) < 1e-3, (name, got_mean, want_mean)
    d = R.DDIM(**base)
    for (t, p), want in [((420, 400), 0.14771), ((980, 960), 0.32460), ((487, 486), 0.00979), ((999, 998), 0.02)]:
        assert abs(d.variance(t, p).item() - want) < 1e-5, (t, p)
    print("reference schedulers reproduce the published diffusers test values")


def scheduler_goldens():
    """SD-2.1 noise schedule, timesteps for 50 steps, and a dummy-model loop per scheduler."""
    out = {}
    pndm = R.scheduler_from_config("pndm", SD21_SCHEDULER)
    out["alphas_cumprod"] = pndm.alphas_cumprod
    for name in R.SCHEDULERS:
        s = R.scheduler_from_config(name, SD21_SCHEDULER)
        s.set_timesteps(50)
        out[f"{name}.timesteps_50"] = s.timesteps.to(torch.float32)
        if hasattr(s, "sigmas"):
            out[f"{name}.sigmas_50"] = s.sigmas
        for steps in (5, 7):
            s = R.scheduler_from_config(name, SD21_SCHEDULER)
            s.set_timesteps(steps)
            g = torch.Generator().manual_seed(7)
            x = dummy_sample_deter() * float(s.init_noise_sigma)
            for t in s.timesteps:
                model_input = s.scale_model_input(x, t) if hasattr(s, "scale_model_input") else x
                eps = dummy_model(model_input, t) - 0.3 * x
                if name == "euler-a":
                    x = s.step(eps, t, x, generator=g)
                elif name == "ddim":
                    x = s.step(eps, t, x, eta=0.0)
                else:
                    x = s.step(eps, t, x)
            out[f"{name}.loop_{steps}"] = x
    # DDIM with eta > 0 draws its noise from the generator, like the pipeline's.
    s = R.scheduler_from_config("ddim", SD21_SCHEDULER)
    s.set_timesteps(5)
    g = torch.Generator().manual_seed(11)
    x = dummy_sample_deter()
    for t in s.timesteps:
        x = s.step(dummy_model(x, t) - 0.3 * x, t, x, eta=0.7, generator=g)
    out["ddim.loop_5_eta"] = x
    # v-prediction loops (the 768-v model's objective).
    for name in R.SCHEDULERS:
        s = R.scheduler_from_config(name, {**SD21_SCHEDULER, "prediction_type": "v_prediction"})
        s.set_timesteps(6)
        g = torch.Generator().manual_seed(3)
        x = dummy_sample_deter() * float(s.init_noise_sigma)
        for t in s.timesteps:
            model_input = s.scale_model_input(x, t) if hasattr(s, "scale_model_input") else x
            v = dummy_model(model_input, t) - 0.2 * x
            x = s.step(v, t, x, generator=g) if name == "euler-a" else s.step(v, t, x)
        out[f"{name}.loop_v_6"] = x
    # add_noise at a few timesteps (training).
    noise = dummy_noise_deter()
    ts = torch.tensor([1, 250, 999, 500])
    ac = pndm.alphas_cumprod[ts]
    out["add_noise"] = ac.sqrt().view(-1, 1, 1, 1) * dummy_sample_deter() + (1 - ac).sqrt().view(-1, 1, 1, 1) * noise
    return {k: v.to(torch.float32).contiguous() for k, v in out.items()}


# ------------------------------------------------------------------------------------------------------------------
# 2.-3. Tiny models, their folder and their goldens

def legacy_vae_state(vae_state):
    renamed = {}
    for k, v in vae_state.items():
        for new, old in (("to_q.", "query."), ("to_k.", "key."), ("to_v.", "value."), ("to_out.0.", "proj_attn.")):
            if ".attentions." in k and new in k:
                k = k.replace(new, old)
        renamed[k] = v
    return renamed


def prompt_ids():
    with open(os.path.join(ROOT, "tests", "golden", "text", "clip_hf_sd2.json")) as f:
        case = json.load(f)["cases"][0]
    # "" -> <|startoftext|> <|endoftext|> then "!" (id 0) padding, as the SD-2 tokenizer pads.
    bos, eos = case["input_ids"][0], case["input_ids"][len(case["ids"]) + 1]
    empty = [bos, eos] + [0] * 75
    return case["text"], torch.tensor([case["input_ids"], empty])


def tiny_goldens():
    torch.manual_seed(0)
    folder = os.path.join(GOLDEN, "tiny-sd")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    unet = randomize(R.UNet2DConditionModel(TINY_UNET), 1)
    unet_sd1 = randomize(R.UNet2DConditionModel(TINY_UNET_SD1_STYLE), 2)
    vae = randomize(R.AutoencoderKL(TINY_VAE), 3)
    text = randomize(R.CLIPTextModel(TINY_TEXT), 4)

    write_json(os.path.join(folder, "model_index.json"), MODEL_INDEX)
    write_json(os.path.join(folder, "unet", "config.json"), TINY_UNET)
    R.save_safetensors(os.path.join(folder, "unet", "diffusion_pytorch_model.safetensors"), state(unet), {"format": "pt"})
    write_json(os.path.join(folder, "vae", "config.json"), TINY_VAE)
    R.save_safetensors(os.path.join(folder, "vae", "diffusion_pytorch_model.safetensors"), state(vae), {"format": "pt"})
    write_json(os.path.join(folder, "text_encoder", "config.json"), TINY_TEXT)
    text_state = state(text)
    # transformers <= 4.30 saved the position_ids buffer; SD-2.1's text_encoder file still carries it.
    text_state["text_model.embeddings.position_ids"] = torch.arange(77, dtype=torch.int64)[None]
    R.save_safetensors(os.path.join(folder, "text_encoder", "model.safetensors"), text_state, {"format": "pt"})
    os.makedirs(os.path.join(folder, "tokenizer"))
    for name in os.listdir(TOKENIZER):
        shutil.copy(os.path.join(TOKENIZER, name), os.path.join(folder, "tokenizer", name))
    write_json(os.path.join(folder, "scheduler", "scheduler_config.json"), SD21_SCHEDULER)

    other = os.path.join(GOLDEN, "models")
    if os.path.isdir(other):
        shutil.rmtree(other)
    write_json(os.path.join(other, "unet-sd1-style", "config.json"), TINY_UNET_SD1_STYLE)
    R.save_safetensors(os.path.join(other, "unet-sd1-style", "diffusion_pytorch_model.safetensors"), state(unet_sd1))
    write_json(os.path.join(other, "vae-legacy-attention", "config.json"), TINY_VAE)
    torch.save(legacy_vae_state(state(vae)), os.path.join(other, "vae-legacy-attention", "diffusion_pytorch_model.bin"))

    g = torch.Generator().manual_seed(100)
    out = {}
    with torch.no_grad():
        # UNet: batch 2 (a guided step), per-block outputs.
        sample = torch.randn(2, 4, 16, 16, generator=g)
        context = torch.randn(2, 77, 32, generator=g)
        sink = {}
        unet(sample, torch.tensor(981), context, sink)
        out["unet.sample"], out["unet.context"] = sample, context
        out.update({f"unet.{k}": v for k, v in sink.items()})
        # Odd latent size: the up path must upsample to the skip's size, not 2x.
        odd = torch.randn(1, 4, 9, 14, generator=g)
        out["unet.odd.sample"] = odd
        out["unet.odd.out"] = unet(odd, torch.tensor(500), context[:1])
        # Float timestep (Euler's), per-sample timesteps.
        out["unet.float_t.out"] = unet(sample, torch.tensor([999.0, 12.5]), context)

        sd1_sample = torch.randn(2, 4, 8, 8, generator=g)
        sink = {}
        unet_sd1(sd1_sample, torch.tensor(250), context, sink)
        out["unet_sd1.sample"] = sd1_sample
        out.update({f"unet_sd1.{k}": v for k, v in sink.items()})

        # VAE: encode an image, decode a latent, sample the posterior with a seeded generator.
        image = torch.rand(1, 3, 32, 32, generator=g) * 2 - 1
        sink = {}
        mean, logvar = vae.encode(image, sink)
        out["vae.image"], out["vae.mean"], out["vae.logvar"] = image, mean, logvar
        noise_g = torch.Generator().manual_seed(5)
        out["vae.posterior_sample_seed5"] = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=noise_g)
        latents = torch.randn(1, 4, 16, 16, generator=g)
        out["vae.latents"] = latents
        out["vae.decoded"] = vae.decode(latents, sink)
        out.update({f"vae.{k}": v for k, v in sink.items()})
        odd_latents = torch.randn(1, 4, 5, 7, generator=g)
        out["vae.odd.latents"] = odd_latents
        out["vae.odd.decoded"] = vae.decode(odd_latents)
        odd_image = torch.rand(1, 3, 10, 13, generator=g) * 2 - 1
        out["vae.odd.image"] = odd_image
        out["vae.odd.mean"], out["vae.odd.logvar"] = vae.encode(odd_image)

        # Text encoder: the prompt and "" from the SD-2 tokenizer goldens.
        text_prompt, ids = prompt_ids()
        sink = {}
        out["text.ids"] = ids.to(torch.int64)
        out["text.last_hidden_state"] = text(ids, sink)
        out.update({f"text.{k}": v for k, v in sink.items()})
        quick = R.CLIPTextModel({**TINY_TEXT, "hidden_act": "quick_gelu"})
        quick.load_state_dict(state(text))
        out["text.quick_gelu.last_hidden_state"] = quick(ids)

    R.save_safetensors(os.path.join(GOLDEN, "models.safetensors"),
                       {k: v.contiguous() for k, v in out.items()},
                       {"prompt": text_prompt, "generator": "tools/reference/sd_goldens.py"})

    # 5-step guided sampling runs.
    runs = {}
    cond = torch.randn(1, 77, 32, generator=g)
    neg = torch.randn(1, 77, 32, generator=g)
    runs["cond"], runs["neg"] = cond, neg
    for name in R.SCHEDULERS:
        scheduler = R.scheduler_from_config(name, SD21_SCHEDULER)
        sink = {} if name == "pndm" else None
        latents, image = R.sample(unet, vae, scheduler, cond, neg, 5, 7.5, 42, 32, 32, sink=sink)
        runs[f"{name}.latents"], runs[f"{name}.image"] = latents, image
        runs[f"{name}.image_u8"] = torch.from_numpy(R.to_uint8(image))
        if sink:
            runs.update({f"{name}.{k}": v for k, v in sink.items()})
    # Non-square image, no guidance (one batch-1 UNet call per step), DDIM with eta.
    latents, image = R.sample(unet, vae, R.scheduler_from_config("ddim", SD21_SCHEDULER), cond, neg, 4, 1.0, 7, 48, 32,
                              eta=0.5)
    runs["ddim_eta_noguidance.latents"], runs["ddim_eta_noguidance.image"] = latents, image
    # Prompt-driven: CLIP(prompt) and CLIP("") as conditioning, PNDM.
    with torch.no_grad():
        embeds = text(prompt_ids()[1])
    latents, image = R.sample(unet, vae, R.scheduler_from_config("pndm", SD21_SCHEDULER), embeds[:1], embeds[1:], 5, 7.5,
                              1234, 32, 32)
    runs["prompt.latents"], runs["prompt.image"] = latents, image
    runs["prompt.image_u8"] = torch.from_numpy(R.to_uint8(image))
    R.save_safetensors(os.path.join(GOLDEN, "sampling.safetensors"), {k: v.contiguous() for k, v in runs.items()},
                       {"prompt": text_prompt})

    R.save_safetensors(os.path.join(GOLDEN, "schedulers.safetensors"), scheduler_goldens())


# ------------------------------------------------------------------------------------------------------------------
# 4. SD-2.1-base full-size key listing

# Published sizes, as model cards and papers round them: UNet 865.9 M, VAE 83.7 M, OpenCLIP-H text tower minus its
# last layer 340.4 M.
PUBLISHED_TOTALS = {"unet": 865.9e6, "vae": 83.7e6, "text_encoder": 340.4e6}


def key_listing():
    builders = {"unet": R.UNet2DConditionModel, "vae": R.AutoencoderKL, "text_encoder": R.CLIPTextModel}
    # The 768-v UNet config (tests/data/sd21-base-keys-768-v) differs only in sample_size and upcast_attention, so
    # it has exactly these keys; the C# test checks that against this listing.
    for variant in ("",):
        for name, build in builders.items():
            path = os.path.join(KEYS + variant, name, "config.json")
            with open(path) as f:
                config = json.load(f)
            with R.on_device("meta"):
                model = build(config)
            params = list(model.named_parameters())
            total = sum(p.numel() for _, p in params)
            published = PUBLISHED_TOTALS[name]
            # Within the rounding of the published figure (0.05 M), so a missing or extra block cannot hide.
            assert abs(total - published) <= 0.05e6, f"{name}{variant}: {total} parameters, published {published}"
            with open(os.path.join(KEYS + variant, f"{name}.keys.txt"), "w") as f:
                f.write(f"# {name}{variant}: {len(params)} tensors, {total} parameters "
                        f"(built from config.json on torch's meta device by tools/reference/sd_goldens.py)\n")
                for key, p in params:
                    f.write(f"{key}\t{','.join(str(s) for s in p.shape)}\n")
            print(f"{name}{variant}: {len(params)} tensors, {total:,} parameters (published {published / 1e6:.1f} M)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", action="store_true", help="only the SD-2.1-base key listing")
    args = parser.parse_args()
    key_listing()
    if args.keys:
        return
    check_published_scheduler_values()
    os.makedirs(GOLDEN, exist_ok=True)
    tiny_goldens()
    total = 0
    for dirpath, _, files in os.walk(GOLDEN):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    print(f"goldens: {total / 1e6:.2f} MB under {os.path.relpath(GOLDEN, ROOT)}")


if __name__ == "__main__":
    main()
