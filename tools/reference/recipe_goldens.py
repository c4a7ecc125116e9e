#!/usr/bin/python3
"""Goldens for MiniGPT-5's stage-1 and stage-2 losses (src/MiniGpt5.Training/Recipe/MiniGpt5StageTask.cs).

Re-states MiniGPT5.forward (model.py, MODEL_SPEC §3.3) on a tiny model: input_warp (BOS embedding + token embeddings,
zero-embedding right padding, labels -100 on BOS/padding), Hugging Face's causal-LM loss, voken features at
(labels == [IMG0]) - 1 .. +7 of the last hidden states, the voken mapper (fc + torch's nn.Transformer + queries),
compute_image_loss through a frozen tiny SD (min-SNR 5; posterior sample, noise and timesteps from the global RNG
seeded just before), the CAP loss MSE(mapping, masked CLIP(caption)), total = 0.01 text + LDM (+ 0.1 CAP), and the
gradients of what each stage trains. Guidance dropout is off (it draws from Python's `random`).

Reuses the compact references: minigpt5_goldens.py (LLaMA with on-the-fly LoRA, mapper), sd_reference.py and
training_goldens.py (tiny SD in tests/golden/training/tiny-sd, image_loss, masked_clip).
Writes tests/golden/recipe/: stage.safetensors (cases), llm/ (config.json, model.safetensors, tokenizer.json),
mapper.safetensors, lora.safetensors. Run with /usr/bin/python3 (torch 1.13).
"""

import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minigpt5_goldens as MG  # noqa: E402
import sd_reference as R  # noqa: E402
import training_goldens as TG  # noqa: E402

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(REPO, "tests", "golden", "recipe")
TINY_SD = os.path.join(REPO, "tests", "golden", "training", "tiny-sd")
CLIP_VOCAB = os.path.join(REPO, "tests", "data", "text", "clip-sd2", "vocab.json")

BASE = 40                      # base pieces; [IMG0]..[IMG7] = 40..47, <ImageHere> = 48
VOCAB = BASE + 9
BOS, EOS = 1, 2
LLAMA = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 32,
    "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
    "vocab_size": VOCAB, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 64,
    "tie_word_embeddings": False, "bos_token_id": BOS, "eos_token_id": EOS, "torch_dtype": "float32",
}
MAPPER = {"llm_hidden": 32, "width": 32, "heads": 4, "encoder_layers": 1, "decoder_layers": 1, "feed_forward": 64,
          "queries": 77, "vokens": 8}
LORA_RANK, LORA_ALPHA = 2, 4.0
SEED = 777
CAPTIONS = ["a red on the left", "the red"]


def tokenizer_json():
    """A LLaMA-format tokenizer.json with exactly BASE pieces (specials + single characters, no merges) and the nine
    MiniGPT-5 tokens as added special tokens."""
    chars = list("abcdefghijklmnopqrstuvwxyz#.,") + ["\u2581"]
    pieces = ["<unk>", "<s>", "</s>"] + chars
    pieces += [f"<x{i}>" for i in range(BASE - len(pieces))]
    assert len(pieces) == BASE
    added = [{"id": i, "content": pieces[i], "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i in range(3)]
    names = [f"[IMG{i}]" for i in range(8)] + ["<ImageHere>"]
    added += [{"id": BASE + i, "content": n, "single_word": False, "lstrip": False, "rstrip": False,
               "normalized": False, "special": True} for i, n in enumerate(names)]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": False,
                  "vocab": {p: i for i, p in enumerate(pieces)}, "merges": []},
    }


def component(name, cls, weights):
    with open(os.path.join(TINY_SD, name, "config.json")) as f:
        module = cls(json.load(f)).eval()
    module.load_state_dict(R.load_safetensors(os.path.join(TINY_SD, name, weights)))
    module.requires_grad_(False)
    return module


def caption_ids(text):
    """CLIP ids of a caption made of whole words in the test vocabulary: BOS, words, EOS, "!" padding to 77."""
    with open(CLIP_VOCAB) as f:
        vocab = json.load(f)
    ids = [vocab["<|startoftext|>"]] + [vocab[w + "</w>"] for w in text.split()] + [vocab["<|endoftext|>"]]
    mask = [1] * len(ids) + [0] * (77 - len(ids))
    return ids + [vocab["!"]] * (77 - len(ids)), mask  # SD 2.x pads with "!" (id 0)


def batch():
    """Two samples, right-padded like MiniGpt5Collator (pad = EOS, labels -100, mask 0)."""
    vokens = list(range(BASE, BASE + 8))
    a_ids = [5, 9, 13, 21] + vokens + [33]
    a_lab = [-100] * 4 + [BASE] + [-100] * 6 + [BASE + 7, 33]
    b_ids = [7, 3] + vokens + [33]
    b_lab = [-100] * 2 + [BASE] + [-100] * 6 + [BASE + 7, 33]
    length = len(a_ids)
    ids = torch.full((2, length), EOS, dtype=torch.int64)
    labels = torch.full((2, length), -100, dtype=torch.int64)
    mask = torch.zeros((2, length), dtype=torch.int64)
    for i, (x, y) in enumerate(((a_ids, a_lab), (b_ids, b_lab))):
        ids[i, :len(x)] = torch.tensor(x)
        labels[i, :len(y)] = torch.tensor(y)
        mask[i, :len(x)] = 1
    return ids, labels, mask


def stage_loss(model, mapper, unet, vae, text, ids, labels, mask, images, use_cap):
    embed = model.model.embed_tokens
    rows, warped = [], []
    for i in range(ids.shape[0]):
        n = int(mask[i].sum())
        rows.append(torch.cat([embed(torch.tensor([BOS])), embed(ids[i, :n])], dim=0))
        warped.append(torch.cat([torch.tensor([-100]), labels[i, :n]]))
    longest = max(r.shape[0] for r in rows)
    embeds = torch.stack([torch.cat([r, torch.zeros(longest - r.shape[0], r.shape[1])]) for r in rows])
    full = torch.stack([torch.cat([w, torch.full((longest - w.shape[0],), -100)]) for w in warped])
    h, logits, _ = model(embeds, torch.arange(longest)[None])
    text_loss = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), full[:, 1:].reshape(-1), ignore_index=-100)
    starts = [int((full[i] == BASE).nonzero()[0]) - 1 for i in range(ids.shape[0])]
    vokens = torch.stack([h[i, s:s + 8] for i, s in enumerate(starts)])
    mapping = mapper(vokens)
    torch.manual_seed(SEED)
    ldm, _, _, _, _ = TG.image_loss(unet, vae, images, mapping)
    total = 0.01 * text_loss + ldm
    cap = None
    if use_cap:
        enc = [caption_ids(c) for c in CAPTIONS]
        target = TG.masked_clip(text, torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))
        cap = F.mse_loss(mapping, target)
        total = total + 0.1 * cap
    return total, text_loss, ldm, cap, vokens, mapping


def main():
    os.makedirs(os.path.join(OUT, "llm"), exist_ok=True)
    torch.set_num_threads(1)
    gen = MG.seeded(4242)
    model = MG.LlamaForCausalLM(LLAMA)
    MG.init_llama(model, gen, std=0.2)
    mapper = MG.Mapper(MAPPER)
    MG.init_mapper(mapper, gen)
    unet = component("unet", R.UNet2DConditionModel, "diffusion_pytorch_model.safetensors")
    vae = component("vae", R.AutoencoderKL, "diffusion_pytorch_model.safetensors")
    text = component("text_encoder", R.CLIPTextModel, "model.safetensors")
    MG.save_json(os.path.join(OUT, "llm", "config.json"), LLAMA)
    MG.save_safetensors(os.path.join(OUT, "llm", "model.safetensors"), MG.llama_state(model), {"format": "pt"})
    MG.save_json(os.path.join(OUT, "llm", "tokenizer.json"), tokenizer_json())
    MG.save_safetensors(os.path.join(OUT, "mapper.safetensors"),
                        {k: v.detach().clone() for k, v in mapper.state_dict().items()}, {"format": "pt"})
    ids, labels, mask = batch()
    images = torch.rand(2, 3, 16, 16, generator=gen) * 2 - 1
    g = TG.Golden("stage.safetensors")

    # Stage 1: trainable = embedding, LM head (rows masked later by the optimizer), fc, mapper, queries.
    for p in model.parameters():
        p.requires_grad_(False)
    model.model.embed_tokens.weight.requires_grad_(True)
    model.lm_head.weight.requires_grad_(True)
    total, text_loss, ldm, cap, vokens, mapping = stage_loss(model, mapper, unet, vae, text, ids, labels, mask, images, True)
    total.backward()
    g.case("stage1", {"seed": SEED, "captions": CAPTIONS, "ids": [caption_ids(c)[0] for c in CAPTIONS]},
           ids=ids, labels=labels, mask=mask, images=images, total=total.reshape(1), text=text_loss.reshape(1),
           ldm=ldm.reshape(1), cap=cap.reshape(1), vokens=vokens, mapping=mapping,
           **{"grad.embed": model.model.embed_tokens.weight.grad, "grad.head": model.lm_head.weight.grad,
              "grad.fc0": mapper.fc[0].weight.grad, "grad.queries": mapper.t2i_decoder_prompt.grad,
              "grad.linear1": mapper.llm_to_t2i_mapping.encoder.layers[0].linear1.weight.grad})

    # Stage 2: LoRA (r 2, alpha 4, non-zero B so the adapters matter) on q and v; CAP off.
    for p in list(model.parameters()) + list(mapper.parameters()):
        p.grad = None
    lora = {}
    for i, layer in enumerate(model.model.layers):
        for name in ("q_proj", "v_proj"):
            a = (torch.randn(LORA_RANK, LLAMA["hidden_size"], generator=gen) * 0.3).requires_grad_(True)
            b = (torch.randn(LLAMA["hidden_size"], LORA_RANK, generator=gen) * 0.3).requires_grad_(True)
            layer.self_attn.lora[name] = (a, b, LORA_ALPHA / LORA_RANK)
            lora[f"model.layers.{i}.self_attn.{name}.lora_A.default.weight"] = a
            lora[f"model.layers.{i}.self_attn.{name}.lora_B.default.weight"] = b
    MG.save_safetensors(os.path.join(OUT, "lora.safetensors"), {k: v.detach().clone() for k, v in lora.items()}, {"format": "pt"})
    total, text_loss, ldm, _, vokens, mapping = stage_loss(model, mapper, unet, vae, text, ids, labels, mask, images, False)
    total.backward()
    g.case("stage2", {"seed": SEED, "lora_rank": LORA_RANK, "lora_alpha": LORA_ALPHA},
           total=total.reshape(1), text=text_loss.reshape(1), ldm=ldm.reshape(1), vokens=vokens, mapping=mapping,
           **{"grad.embed": model.model.embed_tokens.weight.grad, "grad.lora_A": lora["model.layers.0.self_attn.q_proj.lora_A.default.weight"].grad,
              "grad.lora_B": lora["model.layers.1.self_attn.v_proj.lora_B.default.weight"].grad,
              "grad.linear1": mapper.llm_to_t2i_mapping.encoder.layers[0].linear1.weight.grad})
    TG.ROOT = OUT
    g.save()


if __name__ == "__main__":
    main()
