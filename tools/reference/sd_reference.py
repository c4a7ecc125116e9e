#!/usr/bin/python3
"""Compact PyTorch reference for Stable Diffusion 2.x, written from the published architecture.

There is no diffusers or transformers package on this machine, so this file re-states, module for module and with
the published state-dict key names, what these classes compute:

  diffusers  UNet2DConditionModel (unet_2d_condition.py, unet_2d_blocks.py, resnet.py, transformer_2d.py,
             attention.py, attention_processor.py, embeddings.py, downsampling.py, upsampling.py)
  diffusers  AutoencoderKL (autoencoder_kl.py, vae.py)
  transformers CLIPTextModel (modeling_clip.py)
  diffusers  PNDMScheduler, DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler
  diffusers  StableDiffusionPipeline.__call__ (classifier-free guidance, seeded latents, VAE decode)

Every module is driven by the component's config.json, so the same code builds the tiny golden models and the
full-size SD-2.1-base modules (on torch's 'meta' device, for the key listing). Used by sd_goldens.py (goldens) and
by `minigpt5 bench unet` (the PyTorch anchor, through sd_bench_torch.py). Run with Debian's /usr/bin/python3 (torch
1.13).
"""

from __future__ import annotations

import contextlib
import json
import math
import struct
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ------------------------------------------------------------------------------------------------------------------
# Layer factories: every parameterised layer is built here so a whole model can be put on the 'meta' device.

_DEVICE = None


@contextlib.contextmanager
def on_device(device):
    """Builds modules on `device` ('meta' allocates nothing: shapes and names only)."""
    global _DEVICE
    previous, _DEVICE = _DEVICE, device
    try:
        yield
    finally:
        _DEVICE = previous


def linear(i, o, bias=True):
    return nn.Linear(i, o, bias=bias, device=_DEVICE)


def conv(i, o, k, stride=1, padding=0):
    return nn.Conv2d(i, o, k, stride=stride, padding=padding, device=_DEVICE)


def group_norm(groups, channels, eps):
    return nn.GroupNorm(groups, channels, eps=eps, affine=True, device=_DEVICE)


def layer_norm(dim, eps):
    return nn.LayerNorm(dim, eps=eps, device=_DEVICE)


def embedding(n, d):
    return nn.Embedding(n, d, device=_DEVICE)


def record(sink, name, value):
    if sink is not None:
        sink[name] = value.detach().clone()


# ------------------------------------------------------------------------------------------------------------------
# Shared blocks (diffusers resnet.py, downsampling.py, upsampling.py, attention_processor.py, attention.py)

class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, eps, groups):
        super().__init__()
        self.norm1 = group_norm(groups, cin, eps)
        self.conv1 = conv(cin, cout, 3, padding=1)
        self.time_emb_proj = linear(temb, cout) if temb is not None else None
        self.norm2 = group_norm(groups, cout, eps)
        self.conv2 = conv(cout, cout, 3, padding=1)
        self.conv_shortcut = conv(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


class Downsample2D(nn.Module):
    def __init__(self, channels, padding):
        super().__init__()
        self.padding = padding
        self.conv = conv(channels, channels, 3, stride=2, padding=padding)

    def forward(self, x):
        if self.padding == 0:
            x = F.pad(x, (0, 1, 0, 1), mode="constant", value=0)
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = conv(channels, channels, 3, padding=1)

    def forward(self, x, output_size=None):
        if output_size is None:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        else:
            x = F.interpolate(x, size=output_size, mode="nearest")
        return self.conv(x)


class Attention(nn.Module):
    """diffusers Attention with AttnProcessor2_0; group_norm/residual only for the VAE mid-block form."""

    def __init__(self, query_dim, context_dim, heads, dim_head, bias=False, norm_groups=None, eps=1e-5,
                 residual=False):
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.residual = residual
        self.group_norm = group_norm(norm_groups, query_dim, eps) if norm_groups is not None else None
        self.to_q = linear(query_dim, inner, bias=bias)
        self.to_k = linear(context_dim or query_dim, inner, bias=bias)
        self.to_v = linear(context_dim or query_dim, inner, bias=bias)
        self.to_out = nn.ModuleList([linear(inner, query_dim), nn.Dropout(0.0)])

    def forward(self, x, context=None):
        residual = x
        four_d = x.ndim == 4
        if four_d:
            b, c, h, w = x.shape
            x = x.view(b, c, h * w).transpose(1, 2)
        if self.group_norm is not None:
            x = self.group_norm(x.transpose(1, 2)).transpose(1, 2)
        context = x if context is None else context
        q, k, v = self.to_q(x), self.to_k(context), self.to_v(context)
        b = q.shape[0]
        d = k.shape[-1] // self.heads
        q, k, v = (t.view(b, -1, self.heads, d).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-1, -2)) * (d ** -0.5)
        out = scores.softmax(dim=-1) @ v
        out = out.transpose(1, 2).reshape(b, -1, self.heads * d)
        out = self.to_out[1](self.to_out[0](out))
        if four_d:
            out = out.transpose(-1, -2).reshape(b, c, h, w)
        if self.residual:
            out = out + residual
        return out


class GEGLU(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.proj = linear(dim_in, dim_out * 2)

    def forward(self, x):
        hidden, gate = self.proj(x).chunk(2, dim=-1)
        return hidden * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        inner = int(dim * mult)
        self.net = nn.ModuleList([GEGLU(dim, inner), nn.Dropout(0.0), linear(inner, dim)])

    def forward(self, x):
        for module in self.net:
            x = module(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, dim_head, context_dim, only_cross_attention):
        super().__init__()
        self.only_cross_attention = only_cross_attention
        self.norm1 = layer_norm(dim, 1e-5)
        self.attn1 = Attention(dim, context_dim if only_cross_attention else None, heads, dim_head)
        self.norm2 = layer_norm(dim, 1e-5)
        self.attn2 = Attention(dim, context_dim, heads, dim_head)
        self.norm3 = layer_norm(dim, 1e-5)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x), context if self.only_cross_attention else None) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2DModel(nn.Module):
    def __init__(self, heads, dim_head, channels, context_dim, groups, use_linear_projection, num_layers,
                 only_cross_attention):
        super().__init__()
        inner = heads * dim_head
        self.use_linear_projection = use_linear_projection
        self.norm = group_norm(groups, channels, 1e-6)
        self.proj_in = linear(channels, inner) if use_linear_projection else conv(channels, inner, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, heads, dim_head, context_dim, only_cross_attention) for _ in range(num_layers)])
        self.proj_out = linear(inner, channels) if use_linear_projection else conv(inner, channels, 1)

    def forward(self, x, context):
        b, _, h, w = x.shape
        residual = x
        x = self.norm(x)
        if not self.use_linear_projection:
            x = self.proj_in(x)
            inner = x.shape[1]
            x = x.permute(0, 2, 3, 1).reshape(b, h * w, inner)
        else:
            inner = x.shape[1]
            x = x.permute(0, 2, 3, 1).reshape(b, h * w, inner)
            x = self.proj_in(x)
        for block in self.transformer_blocks:
            x = block(x, context)
        if not self.use_linear_projection:
            x = x.reshape(b, h, w, inner).permute(0, 3, 1, 2).contiguous()
            x = self.proj_out(x)
        else:
            x = self.proj_out(x)
            x = x.reshape(b, h, w, inner).permute(0, 3, 1, 2).contiguous()
        return x + residual


# ------------------------------------------------------------------------------------------------------------------
# UNet2DConditionModel (unet_2d_condition.py + unet_2d_blocks.py)

def timestep_embedding(timesteps, dim, flip_sin_to_cos, downscale_freq_shift, max_period=10000):
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(0, half, dtype=torch.float32)
    exponent = exponent / (half - downscale_freq_shift)
    emb = torch.exp(exponent)
    emb = timesteps[:, None].float() * emb[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1, 0, 0))
    return emb


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.linear_1 = linear(cin, dim)
        self.linear_2 = linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class CrossAttnDownBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, layers, eps, groups, heads, context_dim, add_downsample, padding, linear_proj,
                 transformer_layers, only_cross):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, temb, eps, groups) for i in range(layers)])
        self.attentions = nn.ModuleList([
            Transformer2DModel(heads, cout // heads, cout, context_dim, groups, linear_proj, transformer_layers, only_cross)
            for _ in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout, padding)]) if add_downsample else None

    def forward(self, x, temb, context):
        skips = []
        for resnet, attn in zip(self.resnets, self.attentions):
            x = attn(resnet(x, temb), context)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class DownBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, layers, eps, groups, add_downsample, padding):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, temb, eps, groups) for i in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout, padding)]) if add_downsample else None

    def forward(self, x, temb, context=None):
        skips = []
        for resnet in self.resnets:
            x = resnet(x, temb)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, channels, temb, eps, groups, heads, context_dim, linear_proj, transformer_layers, only_cross,
                 num_layers=1):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, temb, eps, groups) for _ in range(num_layers + 1)])
        self.attentions = nn.ModuleList([
            Transformer2DModel(heads, channels // heads, channels, context_dim, groups, linear_proj, transformer_layers,
                               only_cross) for _ in range(num_layers)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        for attn, resnet in zip(self.attentions, self.resnets[1:]):
            x = resnet(attn(x, context), temb)
        return x


class UpBlock2D(nn.Module):
    def __init__(self, cin, prev, cout, temb, layers, eps, groups, add_upsample):
        super().__init__()
        self.resnets = nn.ModuleList()
        for i in range(layers):
            skip = cin if i == layers - 1 else cout
            rin = prev if i == 0 else cout
            self.resnets.append(ResnetBlock2D(rin + skip, cout, temb, eps, groups))
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_upsample else None

    def forward(self, x, skips, temb, context=None, upsample_size=None):
        for resnet in self.resnets:
            x = resnet(torch.cat([x, skips.pop()], dim=1), temb)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x, upsample_size)
        return x


class CrossAttnUpBlock2D(nn.Module):
    def __init__(self, cin, prev, cout, temb, layers, eps, groups, heads, context_dim, add_upsample, linear_proj,
                 transformer_layers, only_cross):
        super().__init__()
        self.resnets = nn.ModuleList()
        for i in range(layers):
            skip = cin if i == layers - 1 else cout
            rin = prev if i == 0 else cout
            self.resnets.append(ResnetBlock2D(rin + skip, cout, temb, eps, groups))
        self.attentions = nn.ModuleList([
            Transformer2DModel(heads, cout // heads, cout, context_dim, groups, linear_proj, transformer_layers, only_cross)
            for _ in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_upsample else None

    def forward(self, x, skips, temb, context, upsample_size=None):
        for resnet, attn in zip(self.resnets, self.attentions):
            x = attn(resnet(torch.cat([x, skips.pop()], dim=1), temb), context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x, upsample_size)
        return x


def per_level(value, n):
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


class UNet2DConditionModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = dict(config)
        self.config = c
        boc = c["block_out_channels"]
        n = len(boc)
        heads = per_level(c.get("num_attention_heads") or c.get("attention_head_dim", 8), n)
        layers = per_level(c.get("layers_per_block", 2), n)
        context_dims = per_level(c.get("cross_attention_dim", 1280), n)
        transformer_layers = per_level(c.get("transformer_layers_per_block", 1), n)
        only_cross = per_level(c.get("only_cross_attention", False), n)
        groups = c.get("norm_num_groups", 32)
        eps = c.get("norm_eps", 1e-5)
        linear_proj = c.get("use_linear_projection", False)
        padding = c.get("downsample_padding", 1)
        temb = boc[0] * 4
        k_in, k_out = c.get("conv_in_kernel", 3), c.get("conv_out_kernel", 3)

        self.conv_in = conv(c.get("in_channels", 4), boc[0], k_in, padding=(k_in - 1) // 2)
        self.time_embedding = TimestepEmbedding(boc[0], temb)
        self.down_blocks = nn.ModuleList()
        out = boc[0]
        for i, kind in enumerate(c["down_block_types"]):
            cin, out = out, boc[i]
            final = i == n - 1
            if kind == "CrossAttnDownBlock2D":
                block = CrossAttnDownBlock2D(cin, out, temb, layers[i], eps, groups, heads[i], context_dims[i], not final,
                                             padding, linear_proj, transformer_layers[i], only_cross[i])
            elif kind == "DownBlock2D":
                block = DownBlock2D(cin, out, temb, layers[i], eps, groups, not final, padding)
            else:
                raise ValueError(kind)
            self.down_blocks.append(block)
        mid_only_cross = c.get("mid_block_only_cross_attention")
        if mid_only_cross is None:
            mid_only_cross = only_cross[-1] if isinstance(c.get("only_cross_attention", False), bool) else False
        self.mid_block = UNetMidBlock2DCrossAttn(boc[-1], temb, eps, groups, heads[-1], context_dims[-1], linear_proj,
                                                 transformer_layers[-1], mid_only_cross)
        rev = list(reversed(boc))
        rheads, rlayers, rctx = list(reversed(heads)), list(reversed(layers)), list(reversed(context_dims))
        rtl, ronly = list(reversed(transformer_layers)), list(reversed(only_cross))
        self.up_blocks = nn.ModuleList()
        out = rev[0]
        for i, kind in enumerate(c["up_block_types"]):
            final = i == n - 1
            prev, out = out, rev[i]
            cin = rev[min(i + 1, n - 1)]
            if kind == "CrossAttnUpBlock2D":
                block = CrossAttnUpBlock2D(cin, prev, out, temb, rlayers[i] + 1, eps, groups, rheads[i], rctx[i], not final,
                                           linear_proj, rtl[i], ronly[i])
            elif kind == "UpBlock2D":
                block = UpBlock2D(cin, prev, out, temb, rlayers[i] + 1, eps, groups, not final)
            else:
                raise ValueError(kind)
            self.up_blocks.append(block)
        self.conv_norm_out = group_norm(groups, boc[0], eps)
        self.conv_out = conv(boc[0], c.get("out_channels", 4), k_out, padding=(k_out - 1) // 2)

    def forward(self, sample, timestep, context, sink=None):
        c = self.config
        t = timestep if torch.is_tensor(timestep) else torch.tensor([timestep])
        t = t.reshape(-1).expand(sample.shape[0])
        t_emb = timestep_embedding(t, c["block_out_channels"][0], c.get("flip_sin_to_cos", True), c.get("freq_shift", 0))
        temb = self.time_embedding(t_emb)
        record(sink, "time_embedding", temb)
        x = self.conv_in(sample)
        record(sink, "conv_in", x)
        skips = [x]
        for i, block in enumerate(self.down_blocks):
            x, block_skips = block(x, temb, context)
            skips.extend(block_skips)
            record(sink, f"down_blocks.{i}", x)
        x = self.mid_block(x, temb, context)
        record(sink, "mid_block", x)
        overall_up = 2 ** (len(self.up_blocks) - 1)
        forward_upsample_size = any(s % overall_up != 0 for s in sample.shape[-2:])
        for i, block in enumerate(self.up_blocks):
            final = i == len(self.up_blocks) - 1
            count = len(block.resnets)
            block_skips = skips[-count:]
            skips = skips[:-count]
            upsample_size = skips[-1].shape[2:] if (not final and forward_upsample_size) else None
            x = block(x, block_skips, temb, context, upsample_size)
            record(sink, f"up_blocks.{i}", x)
        x = self.conv_out(F.silu(self.conv_norm_out(x)))
        record(sink, "out", x)
        return x


# ------------------------------------------------------------------------------------------------------------------
# AutoencoderKL (autoencoder_kl.py, vae.py, unet_2d_blocks.py: DownEncoderBlock2D, UpDecoderBlock2D, UNetMidBlock2D)

class DownEncoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, None, 1e-6, groups) for i in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout, 0)]) if add_downsample else None

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
        return x


class UpDecoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, None, 1e-6, groups) for i in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_upsample else None

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class UNetMidBlock2D(nn.Module):
    def __init__(self, channels, groups, add_attention=True):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, None, 1e-6, groups) for _ in range(2)])
        self.attentions = nn.ModuleList(
            [Attention(channels, None, 1, channels, bias=True, norm_groups=groups, eps=1e-6, residual=True)]
        ) if add_attention else None

    def forward(self, x):
        x = self.resnets[0](x)
        if self.attentions is not None:
            x = self.attentions[0](x)
        return self.resnets[1](x)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        boc, groups = c["block_out_channels"], c.get("norm_num_groups", 32)
        self.conv_in = conv(c.get("in_channels", 3), boc[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        out = boc[0]
        for i, _ in enumerate(c["down_block_types"]):
            cin, out = out, boc[i]
            self.down_blocks.append(DownEncoderBlock2D(cin, out, c.get("layers_per_block", 1), groups, i != len(boc) - 1))
        self.mid_block = UNetMidBlock2D(boc[-1], groups, c.get("mid_block_add_attention", True))
        self.conv_norm_out = group_norm(groups, boc[-1], 1e-6)
        self.conv_out = conv(boc[-1], 2 * c.get("latent_channels", 4), 3, padding=1)

    def forward(self, x, sink=None):
        x = self.conv_in(x)
        for i, block in enumerate(self.down_blocks):
            x = block(x)
            record(sink, f"encoder.down_blocks.{i}", x)
        x = self.mid_block(x)
        record(sink, "encoder.mid_block", x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        boc, groups = c["block_out_channels"], c.get("norm_num_groups", 32)
        self.conv_in = conv(c.get("latent_channels", 4), boc[-1], 3, padding=1)
        self.mid_block = UNetMidBlock2D(boc[-1], groups, c.get("mid_block_add_attention", True))
        self.up_blocks = nn.ModuleList()
        rev = list(reversed(boc))
        out = rev[0]
        for i, _ in enumerate(c["up_block_types"]):
            prev, out = out, rev[i]
            self.up_blocks.append(UpDecoderBlock2D(prev, out, c.get("layers_per_block", 1) + 1, groups, i != len(boc) - 1))
        self.conv_norm_out = group_norm(groups, boc[0], 1e-6)
        self.conv_out = conv(boc[0], c.get("out_channels", 3), 3, padding=1)

    def forward(self, z, sink=None):
        x = self.conv_in(z)
        x = self.mid_block(x)
        record(sink, "decoder.mid_block", x)
        for i, block in enumerate(self.up_blocks):
            x = block(x)
            record(sink, f"decoder.up_blocks.{i}", x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class AutoencoderKL(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = dict(config)
        self.config = c
        latent = c.get("latent_channels", 4)
        self.encoder = Encoder(c)
        self.decoder = Decoder(c)
        self.quant_conv = conv(2 * latent, 2 * latent, 1) if c.get("use_quant_conv", True) else None
        self.post_quant_conv = conv(latent, latent, 1) if c.get("use_post_quant_conv", True) else None

    def encode(self, x, sink=None):
        """Returns (mean, logvar) of the diagonal Gaussian posterior (logvar clamped to [-30, 20])."""
        moments = self.encoder(x, sink)
        if self.quant_conv is not None:
            moments = self.quant_conv(moments)
        mean, logvar = torch.chunk(moments, 2, dim=1)
        return mean, torch.clamp(logvar, -30.0, 20.0)

    def decode(self, z, sink=None):
        if self.post_quant_conv is not None:
            z = self.post_quant_conv(z)
        return self.decoder(z, sink)


# ------------------------------------------------------------------------------------------------------------------
# CLIPTextModel (transformers modeling_clip.py)

class CLIPAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (linear(dim, dim) for _ in range(4))

    def forward(self, x, mask):
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = (p(x).view(b, t, self.heads, hd).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        scores = (q * hd ** -0.5) @ k.transpose(-1, -2) + mask
        out = scores.softmax(dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, t, d))


class CLIPMLP(nn.Module):
    def __init__(self, dim, inner, act):
        super().__init__()
        self.act = act
        self.fc1 = linear(dim, inner)
        self.fc2 = linear(inner, dim)

    def forward(self, x):
        x = self.fc1(x)
        if self.act == "gelu":
            x = F.gelu(x)
        elif self.act == "quick_gelu":
            x = x * torch.sigmoid(1.702 * x)
        else:
            raise ValueError(self.act)
        return self.fc2(x)


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-5)
        self.self_attn = CLIPAttention(d, c["num_attention_heads"])
        self.layer_norm1 = layer_norm(d, eps)
        self.mlp = CLIPMLP(d, c["intermediate_size"], c.get("hidden_act", "quick_gelu"))
        self.layer_norm2 = layer_norm(d, eps)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c) for _ in range(c["num_hidden_layers"])])


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = embedding(c["max_position_embeddings"], c["hidden_size"])


class CLIPTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = layer_norm(c["hidden_size"], c.get("layer_norm_eps", 1e-5))


class CLIPTextModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = dict(config)
        self.text_model = CLIPTextTransformer(self.config)

    def forward(self, ids, sink=None):
        tm = self.text_model
        t = ids.shape[1]
        x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding(torch.arange(t))[None]
        mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
        for i, layer in enumerate(tm.encoder.layers):
            x = layer(x, mask)
            record(sink, f"text_model.encoder.layers.{i}", x)
        return tm.final_layer_norm(x)


# ------------------------------------------------------------------------------------------------------------------
# Schedulers (diffusers scheduling_*.py): float32 tensors exactly where diffusers keeps them.

def make_betas(c):
    n = c.get("num_train_timesteps", 1000)
    start, end = c.get("beta_start", 0.0001), c.get("beta_end", 0.02)
    schedule = c.get("beta_schedule", "linear")
    if c.get("trained_betas") is not None:
        return torch.tensor(c["trained_betas"], dtype=torch.float32)
    if schedule == "linear":
        return torch.linspace(start, end, n, dtype=torch.float32)
    if schedule == "scaled_linear":
        return torch.linspace(start ** 0.5, end ** 0.5, n, dtype=torch.float32) ** 2
    if schedule == "squaredcos_cap_v2":
        def alpha_bar(t):
            return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        return torch.tensor([min(1 - alpha_bar((i + 1) / n) / alpha_bar(i / n), 0.999) for i in range(n)],
                            dtype=torch.float32)
    raise ValueError(schedule)


class PNDM:
    order = 1

    def __init__(self, **c):
        self.c = dict(num_train_timesteps=1000, skip_prk_steps=False, set_alpha_to_one=False, prediction_type="epsilon",
                      timestep_spacing="leading", steps_offset=0)
        self.c.update(c)
        self.betas = make_betas(self.c)
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)
        self.final_alpha_cumprod = torch.tensor(1.0) if self.c["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def set_timesteps(self, n):
        c = self.c
        self.num_inference_steps = n
        if c["timestep_spacing"] == "linspace":
            ts = np.linspace(0, c["num_train_timesteps"] - 1, n).round().astype(np.int64)
        elif c["timestep_spacing"] == "leading":
            ts = (np.arange(0, n) * (c["num_train_timesteps"] // n)).round() + c["steps_offset"]
        else:
            ts = np.round(np.arange(c["num_train_timesteps"], 0, -c["num_train_timesteps"] / n))[::-1].astype(np.int64) - 1
        if c["skip_prk_steps"]:
            self.prk_timesteps = np.array([])
            self.plms_timesteps = np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1].copy()
        else:
            prk = np.array(ts[-4:]).repeat(2) + np.tile(np.array([0, c["num_train_timesteps"] // n // 2]), 4)
            self.prk_timesteps = (prk[:-1].repeat(2)[1:-1])[::-1].copy()
            self.plms_timesteps = ts[:-3][::-1].copy()
        self.timesteps = torch.from_numpy(np.concatenate([self.prk_timesteps, self.plms_timesteps]).astype(np.int64))
        self.ets, self.counter, self.cur_model_output, self.cur_sample = [], 0, 0, None

    def step(self, out, t, sample):
        if self.counter < len(self.prk_timesteps) and not self.c["skip_prk_steps"]:
            return self.step_prk(out, t, sample)
        return self.step_plms(out, t, sample)

    def step_prk(self, out, t, sample):
        n_train = self.c["num_train_timesteps"]
        diff = 0 if self.counter % 2 else n_train // self.num_inference_steps // 2
        prev_t = t - diff
        t = self.prk_timesteps[self.counter // 4 * 4]
        if self.counter % 4 == 0:
            self.cur_model_output += 1 / 6 * out
            self.ets.append(out)
            self.cur_sample = sample
        elif (self.counter - 1) % 4 == 0:
            self.cur_model_output += 1 / 3 * out
        elif (self.counter - 2) % 4 == 0:
            self.cur_model_output += 1 / 3 * out
        else:
            out = self.cur_model_output + 1 / 6 * out
            self.cur_model_output = 0
        cur = self.cur_sample if self.cur_sample is not None else sample
        prev = self._prev(cur, t, prev_t, out)
        self.counter += 1
        return prev

    def step_plms(self, out, t, sample):
        n_train = self.c["num_train_timesteps"]
        prev_t = t - n_train // self.num_inference_steps
        if self.counter != 1:
            self.ets = self.ets[-3:]
            self.ets.append(out)
        else:
            prev_t = t
            t = t + n_train // self.num_inference_steps
        if len(self.ets) == 1 and self.counter == 0:
            self.cur_sample = sample
        elif len(self.ets) == 1 and self.counter == 1:
            out = (out + self.ets[-1]) / 2
            sample = self.cur_sample
            self.cur_sample = None
        elif len(self.ets) == 2:
            out = (3 * self.ets[-1] - self.ets[-2]) / 2
        elif len(self.ets) == 3:
            out = (23 * self.ets[-1] - 16 * self.ets[-2] + 5 * self.ets[-3]) / 12
        else:
            out = (1 / 24) * (55 * self.ets[-1] - 59 * self.ets[-2] + 37 * self.ets[-3] - 9 * self.ets[-4])
        prev = self._prev(sample, t, prev_t, out)
        self.counter += 1
        return prev

    def _prev(self, sample, t, prev_t, out):
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t, b_prev = 1 - a_t, 1 - a_prev
        if self.c["prediction_type"] == "v_prediction":
            out = (a_t ** 0.5) * out + (b_t ** 0.5) * sample
        coeff = (a_prev / a_t) ** 0.5
        denom = a_t * b_prev ** 0.5 + (a_t * b_t * a_prev) ** 0.5
        return coeff * sample - (a_prev - a_t) * out / denom


class DDIM:
    order = 1

    def __init__(self, **c):
        self.c = dict(num_train_timesteps=1000, clip_sample=True, set_alpha_to_one=True, steps_offset=0,
                      prediction_type="epsilon", clip_sample_range=1.0, timestep_spacing="leading")
        self.c.update(c)
        self.betas = make_betas(self.c)
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)
        self.final_alpha_cumprod = torch.tensor(1.0) if self.c["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def set_timesteps(self, n):
        c = self.c
        self.num_inference_steps = n
        n_train = c["num_train_timesteps"]
        if c["timestep_spacing"] == "linspace":
            ts = np.linspace(0, n_train - 1, n).round()[::-1].copy().astype(np.int64)
        elif c["timestep_spacing"] == "leading":
            ts = (np.arange(0, n) * (n_train // n)).round()[::-1].copy().astype(np.int64) + c["steps_offset"]
        else:
            ts = np.round(np.arange(n_train, 0, -n_train / n)).astype(np.int64) - 1
        self.timesteps = torch.from_numpy(ts)

    def variance(self, t, prev_t):
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        return ((1 - a_prev) / (1 - a_t)) * (1 - a_t / a_prev)

    def step(self, out, t, sample, eta=0.0, generator=None):
        prev_t = t - self.c["num_train_timesteps"] // self.num_inference_steps
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t = 1 - a_t
        p = self.c["prediction_type"]
        if p == "epsilon":
            x0 = (sample - b_t ** 0.5 * out) / a_t ** 0.5
            eps = out
        elif p == "sample":
            x0 = out
            eps = (sample - a_t ** 0.5 * x0) / b_t ** 0.5
        else:
            x0 = (a_t ** 0.5) * sample - (b_t ** 0.5) * out
            eps = (a_t ** 0.5) * out + (b_t ** 0.5) * sample
        if self.c["clip_sample"]:
            x0 = x0.clamp(-self.c["clip_sample_range"], self.c["clip_sample_range"])
        std = eta * self.variance(t, prev_t) ** 0.5
        direction = (1 - a_prev - std ** 2) ** 0.5 * eps
        prev = a_prev ** 0.5 * x0 + direction
        if eta > 0:
            prev = prev + std * torch.randn(out.shape, generator=generator)
        return prev


class DPMSolverMultistep:
    """DPM-Solver++ (multistep, midpoint or heun) with the current diffusers sigma bookkeeping."""
    order = 1

    def __init__(self, **c):
        self.c = dict(num_train_timesteps=1000, solver_order=2, prediction_type="epsilon", algorithm_type="dpmsolver++",
                      solver_type="midpoint", lower_order_final=True, euler_at_final=False, final_sigmas_type="zero",
                      timestep_spacing="linspace", steps_offset=0, lambda_min_clipped=-float("inf"))
        self.c.update(c)
        self.betas = make_betas(self.c)
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)
        self.alpha_t = torch.sqrt(self.alphas_cumprod)
        self.sigma_t = torch.sqrt(1 - self.alphas_cumprod)
        self.lambda_t = torch.log(self.alpha_t) - torch.log(self.sigma_t)
        self.init_noise_sigma = 1.0

    def set_timesteps(self, n):
        c = self.c
        clipped = torch.searchsorted(torch.flip(self.lambda_t, [0]), c["lambda_min_clipped"])
        last = int((c["num_train_timesteps"] - clipped).numpy().item())
        if c["timestep_spacing"] == "linspace":
            ts = np.linspace(0, last - 1, n + 1).round()[::-1][:-1].copy().astype(np.int64)
        elif c["timestep_spacing"] == "leading":
            ratio = last // (n + 1)
            ts = (np.arange(0, n + 1) * ratio).round()[::-1][:-1].copy().astype(np.int64) + c["steps_offset"]
        else:
            ts = np.arange(last, 0, -c["num_train_timesteps"] / n).round().copy().astype(np.int64) - 1
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(ts, np.arange(0, len(sigmas)), sigmas)
        last_sigma = ((1 - self.alphas_cumprod[0]) / self.alphas_cumprod[0]) ** 0.5 \
            if c["final_sigmas_type"] == "sigma_min" else 0
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [last_sigma]]).astype(np.float32))
        self.timesteps = torch.from_numpy(ts).to(torch.int64)
        self.num_inference_steps = len(ts)
        self.model_outputs = [None] * c["solver_order"]
        self.lower_order_nums = 0
        self.step_index = None

    @staticmethod
    def _alpha_sigma(sigma):
        alpha = 1 / ((sigma ** 2 + 1) ** 0.5)
        return alpha, sigma * alpha

    def _index_for(self, t):
        candidates = (self.timesteps == t).nonzero()
        if len(candidates) == 0:
            return len(self.timesteps) - 1
        return candidates[1].item() if len(candidates) > 1 else candidates[0].item()

    def step(self, out, t, sample):
        c = self.c
        if self.step_index is None:
            self.step_index = self._index_for(t)
        n = len(self.timesteps)
        lower_final = (self.step_index == n - 1) and (
            c["euler_at_final"] or (c["lower_order_final"] and n < 15) or c["final_sigmas_type"] == "zero")
        lower_second = (self.step_index == n - 2) and c["lower_order_final"] and n < 15
        sigma = self.sigmas[self.step_index]
        alpha_s, sigma_s = self._alpha_sigma(sigma)
        if c["prediction_type"] == "epsilon":
            x0 = (sample - sigma_s * out) / alpha_s
        elif c["prediction_type"] == "sample":
            x0 = out
        else:
            x0 = alpha_s * sample - sigma_s * out
        for i in range(c["solver_order"] - 1):
            self.model_outputs[i] = self.model_outputs[i + 1]
        self.model_outputs[-1] = x0
        sample = sample.to(torch.float32)
        if c["solver_order"] == 1 or self.lower_order_nums < 1 or lower_final:
            prev = self._first(x0, sample)
        elif c["solver_order"] == 2 or self.lower_order_nums < 2 or lower_second:
            prev = self._second(sample)
        else:
            raise ValueError("third order is not part of the reference")
        if self.lower_order_nums < c["solver_order"]:
            self.lower_order_nums += 1
        self.step_index += 1
        return prev

    def _first(self, m, sample):
        alpha_t, sigma_t = self._alpha_sigma(self.sigmas[self.step_index + 1])
        alpha_s, sigma_s = self._alpha_sigma(self.sigmas[self.step_index])
        h = (torch.log(alpha_t) - torch.log(sigma_t)) - (torch.log(alpha_s) - torch.log(sigma_s))
        return (sigma_t / sigma_s) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * m

    def _second(self, sample):
        i = self.step_index
        alpha_t, sigma_t = self._alpha_sigma(self.sigmas[i + 1])
        alpha_s0, sigma_s0 = self._alpha_sigma(self.sigmas[i])
        alpha_s1, sigma_s1 = self._alpha_sigma(self.sigmas[i - 1])
        lam_t = torch.log(alpha_t) - torch.log(sigma_t)
        lam_s0 = torch.log(alpha_s0) - torch.log(sigma_s0)
        lam_s1 = torch.log(alpha_s1) - torch.log(sigma_s1)
        m0, m1 = self.model_outputs[-1], self.model_outputs[-2]
        h, h0 = lam_t - lam_s0, lam_s0 - lam_s1
        r0 = h0 / h
        d0, d1 = m0, (1.0 / r0) * (m0 - m1)
        if self.c["solver_type"] == "midpoint":
            return ((sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * d0
                    - 0.5 * (alpha_t * (torch.exp(-h) - 1.0)) * d1)
        return ((sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * d0
                + (alpha_t * ((torch.exp(-h) - 1.0) / h + 1.0)) * d1)

    def add_noise(self, original, noise, timesteps):
        indices = [self._index_for(t) for t in timesteps]
        sigma = self.sigmas[indices].flatten()
        while sigma.ndim < original.ndim:
            sigma = sigma.unsqueeze(-1)
        alpha_t, sigma_t = self._alpha_sigma(sigma)
        return alpha_t * original + sigma_t * noise


class EulerAncestral:
    order = 1

    def __init__(self, **c):
        self.c = dict(num_train_timesteps=1000, prediction_type="epsilon", timestep_spacing="linspace", steps_offset=0)
        self.c.update(c)
        self.betas = make_betas(self.c)
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas[::-1], [0.0]]).astype(np.float32))

    @property
    def init_noise_sigma(self):
        if self.c["timestep_spacing"] in ("linspace", "trailing"):
            return self.sigmas.max()
        return (self.sigmas.max() ** 2 + 1) ** 0.5

    def set_timesteps(self, n):
        c = self.c
        n_train = c["num_train_timesteps"]
        if c["timestep_spacing"] == "linspace":
            ts = np.linspace(0, n_train - 1, n, dtype=np.float32)[::-1].copy()
        elif c["timestep_spacing"] == "leading":
            ts = (np.arange(0, n) * (n_train // n)).round()[::-1].copy().astype(np.float32) + c["steps_offset"]
        else:
            ts = (np.arange(n_train, 0, -n_train / n)).round().copy().astype(np.float32) - 1
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(ts, np.arange(0, len(sigmas)), sigmas)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [0.0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(ts)
        self.step_index = None

    def _index_for(self, t):
        indices = (self.timesteps == t).nonzero()
        return indices[1 if len(indices) > 1 else 0].item()

    def scale_model_input(self, sample, t):
        if self.step_index is None:
            self.step_index = self._index_for(t)
        sigma = self.sigmas[self.step_index]
        return sample / ((sigma ** 2 + 1) ** 0.5)

    def step(self, out, t, sample, generator=None):
        if self.step_index is None:
            self.step_index = self._index_for(t)
        sigma = self.sigmas[self.step_index]
        sample = sample.to(torch.float32)
        if self.c["prediction_type"] == "epsilon":
            x0 = sample - sigma * out
        else:
            x0 = out * (-sigma / (sigma ** 2 + 1) ** 0.5) + (sample / (sigma ** 2 + 1))
        sigma_from, sigma_to = self.sigmas[self.step_index], self.sigmas[self.step_index + 1]
        sigma_up = (sigma_to ** 2 * (sigma_from ** 2 - sigma_to ** 2) / sigma_from ** 2) ** 0.5
        sigma_down = (sigma_to ** 2 - sigma_up ** 2) ** 0.5
        derivative = (sample - x0) / sigma
        prev = sample + derivative * (sigma_down - sigma)
        noise = torch.randn(out.shape, dtype=out.dtype, generator=generator)
        prev = prev + noise * sigma_up
        self.step_index += 1
        return prev

    def add_noise(self, original, noise, timesteps):
        indices = [self._index_for(t) for t in timesteps]
        sigma = self.sigmas[indices].flatten()
        while sigma.ndim < original.ndim:
            sigma = sigma.unsqueeze(-1)
        return original + noise * sigma


SCHEDULERS = {"pndm": PNDM, "ddim": DDIM, "dpm++2m": DPMSolverMultistep, "euler-a": EulerAncestral}
SCHEDULER_CONFIG_KEYS = {
    PNDM: ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "skip_prk_steps",
           "set_alpha_to_one", "prediction_type", "timestep_spacing", "steps_offset"),
    DDIM: ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "clip_sample",
           "set_alpha_to_one", "steps_offset", "prediction_type", "clip_sample_range", "timestep_spacing"),
    DPMSolverMultistep: ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                         "solver_order", "prediction_type", "algorithm_type", "solver_type", "lower_order_final",
                         "euler_at_final", "final_sigmas_type", "timestep_spacing", "steps_offset"),
    EulerAncestral: ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                     "prediction_type", "timestep_spacing", "steps_offset"),
}


def scheduler_from_config(name, config):
    """Like diffusers' from_config: keeps the keys the class knows; the rest take the class defaults."""
    cls = SCHEDULERS[name]
    return cls(**{k: v for k, v in config.items() if k in SCHEDULER_CONFIG_KEYS[cls]})


# ------------------------------------------------------------------------------------------------------------------
# StableDiffusionPipeline.__call__ with precomputed conditioning

@torch.no_grad()
def sample(unet, vae, scheduler, cond, neg, steps, guidance, seed, height, width, eta=0.0, sink=None):
    vae_scale = 2 ** (len(vae.config["block_out_channels"]) - 1)
    generator = torch.Generator().manual_seed(seed)
    latents = torch.randn((1, unet.config.get("in_channels", 4), height // vae_scale, width // vae_scale),
                          generator=generator) * scheduler.init_noise_sigma
    scheduler.set_timesteps(steps)
    cfg = guidance > 1
    context = torch.cat([neg, cond]) if cfg else cond
    for i, t in enumerate(scheduler.timesteps):
        model_input = torch.cat([latents] * 2) if cfg else latents
        if hasattr(scheduler, "scale_model_input"):
            model_input = scheduler.scale_model_input(model_input, t)
        eps = unet(model_input, t, context)
        if cfg:
            uncond, text = eps.chunk(2)
            eps = uncond + guidance * (text - uncond)
        if isinstance(scheduler, DDIM):
            latents = scheduler.step(eps, t, latents, eta=eta, generator=generator)
        elif isinstance(scheduler, EulerAncestral):
            latents = scheduler.step(eps, t, latents, generator=generator)
        else:
            latents = scheduler.step(eps, t, latents)
        record(sink, f"latents.{i}", latents)
    scaling = vae.config.get("scaling_factor", 0.18215)
    image = vae.decode(latents / scaling)
    return latents, image


def to_uint8(image):
    """diffusers postprocess: (x/2+0.5).clamp(0,1), then round(x*255) in numpy (float32), HWC uint8."""
    x = (image / 2 + 0.5).clamp(0, 1)[0].permute(1, 2, 0).numpy()
    return (x * 255).round().astype("uint8")


# ------------------------------------------------------------------------------------------------------------------
# safetensors without the package (header: u64 little-endian length, JSON, then the raw bytes)

_ST = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
       torch.uint8: "U8"}
_ST_BACK = {v: k for k, v in _ST.items()}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": _ST[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path, copy=True):
    """name -> tensor. copy=False returns read-only views of the memory-mapped file (no second copy of big weights)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
    data = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _ST_BACK[info["dtype"]]
        raw = data[base + start: base + end]
        raw = np.array(raw) if copy else raw
        if dtype == torch.bfloat16:
            t = torch.from_numpy(raw.view(np.int16)).view(torch.bfloat16)
        else:
            with warnings.catch_warnings():
                # A read-only memory map: the tensor is only read (copied into the module).
                warnings.simplefilter("ignore", UserWarning)
                t = torch.from_numpy(raw.view(torch.empty(0, dtype=dtype).numpy().dtype))
        out[name] = t.reshape(info["shape"])
    return out
