#!/usr/bin/python3
"""Golden files for MiniGpt5.Imaging, produced with the Python stack MiniGPT-5 runs on.

Run with Debian's interpreter (Pillow 9.4 on libjpeg-turbo 2.1, numpy):
    /usr/bin/python3 tools/reference/imaging_goldens.py            # write tests/golden/imaging/
    /usr/bin/python3 tools/reference/imaging_goldens.py --verify   # check our encoders' committed outputs with Pillow

Restart-interval, 1x2/4x1 sampling, RGB-colourspace and arithmetic-coded JPEGs come from cjpeg
(apt-get install libjpeg-turbo-progs), the same libjpeg-turbo build Pillow links.

What is written (all small; the C# tests read manifest.json):
  png/*.png      PNGs of every colour type, bit depth, filter and interlace, written by our own minimal
                 encoder below (Pillow cannot write 2/4-bit gray or Adam7), decoded by Pillow.
  jpeg/*.jpg     JPEGs from Pillow and cjpeg: baseline/progressive, 4:4:4/4:2:2/4:2:0/1x2/4x1, gray, odd sizes,
                 restart intervals, EXIF orientations 1..8.
  expected/*.bin Pillow's decoded pixels (raw, interleaved, in the layout our decoder returns).
  resize/*.bin   Pillow resize of three sources with every filter, up and down, odd factors.
  clip/, sd/     MiniGPT-5 preprocessing: pixels after Resize+CenterCrop (PNG) plus float tensor slices.
  encode/*.jpg   Pillow's JPEG encodes of a source, to compare with our encoder byte for byte.
  bad/*          files that must be refused (GIF, BMP, TIFF, WebP, arithmetic JPEG, 16-bit-precision SOF...).
"""
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image, ImageOps, features

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "golden", "imaging")
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

manifest = {"decode": [], "resize": [], "preprocess": [], "encode": [], "refuse": []}


def path(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def rel(p):
    return os.path.relpath(p, OUT).replace(os.sep, "/")


def photo(width, height, seed, channels=3):
    """A synthetic 'photo': smooth gradients, a disc, stripes and a little noise, so every DCT band is used."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        phase = rng.uniform(0, 6.28)
        base = 128 + 90 * np.sin(x / (width / 2.3) + phase) * np.cos(y / (height / 1.7) + c)
        disc = ((x - width * 0.6) ** 2 + (y - height * 0.4) ** 2) < (min(width, height) * 0.25) ** 2
        base = np.where(disc, 255 - base * 0.5, base)
        stripes = ((x.astype(int) // 3 + y.astype(int) // 5) % 2) * 40 * (x > width * 0.7)
        noise = rng.normal(0, 6, size=(height, width))
        planes.append(np.clip(base + stripes + noise, 0, 255))
    return np.stack(planes, axis=-1).round().astype(np.uint8)


# ----------------------------------------------------------------------------------------------- PNG
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """samples: 1-D array of ints at `depth` bits -> bytes."""
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    if depth == 16:
        return samples.astype(">u2").tobytes()
    per = 8 // depth
    out = bytearray((len(samples) * depth + 7) // 8)
    for i, v in enumerate(samples):
        out[i // per] |= int(v) << (8 - depth - (i % per) * depth)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, row, prev, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (row[i] - pred) & 0xFF
    return bytes(out)


def write_png(filename, samples, depth, color_type, interlace=False, palette=None, trns=None, exif=None):
    """samples: HxWxS integer array at the given depth. Filters cycle 0..4 over rows so all are exercised."""
    h, w, s = samples.shape
    bpp = max(1, s * depth // 8)
    raw = bytearray()
    row_counter = [0]

    def emit(sub):
        sh, sw = sub.shape[:2]
        if sh == 0 or sw == 0:
            return
        prev = bytes(len(pack_row(sub[0].reshape(-1), depth)))
        for y in range(sh):
            row = pack_row(sub[y].reshape(-1), depth)
            kind = row_counter[0] % 5
            row_counter[0] += 1
            raw.append(kind)
            raw.extend(filter_row(kind, row, prev, bpp))
            prev = row

    if interlace:
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            emit(samples[y0::dy, x0::dx])
    else:
        emit(samples)
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    data += png_chunk(b"gAMA", struct.pack(">I", 45455))  # ignored, as Pillow ignores it when converting
    if palette is not None:
        data += png_chunk(b"PLTE", bytes(palette))
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    if exif is not None:
        data += png_chunk(b"eXIf", exif)
    comp = zlib.compress(bytes(raw), 9)
    # Split image data over several IDAT chunks to exercise concatenation.
    step = max(1, len(comp) // 3)
    for i in range(0, len(comp), step):
        data += png_chunk(b"IDAT", comp[i:i + step])
    data += png_chunk(b"tEXt", b"Comment\x00golden")
    data += png_chunk(b"IEND", b"")
    with open(filename, "wb") as f:
        f.write(data)


def our_layout(im, case):
    """Pillow's pixels in the layout MiniGpt5.Imaging returns, plus the format name."""
    target = case["format"]
    if im.mode == "I":  # 16-bit gray: Pillow keeps 16 bits (its convert('L') clips at 255); we keep the high byte
        arr = np.array(im).astype(np.uint32)
        gray = (arr >> 8).astype(np.uint8)
        if target == "LA":
            key = struct.unpack(">H", case["trns"])[0]
            return np.stack([gray, np.where(arr == key, 0, 255).astype(np.uint8)], axis=-1)
        return gray
    return np.array(im.convert(target))


def png_cases():
    rng = np.random.default_rng(7)
    cases = []

    def add(name, w, h, depth, ct, fmt, interlace=False, pal_entries=None, trns=None, exif=None):
        samples_per = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct]
        maxv = (1 << depth) - 1
        if ct == 3:
            samples = rng.integers(0, pal_entries, size=(h, w, 1))
        else:
            img = photo(w, h, seed=len(cases), channels=samples_per).astype(np.int64)
            samples = (img * maxv + 127) // 255 if depth != 16 else img * 257 + rng.integers(0, 256, size=img.shape)
        palette = None
        if ct == 3:
            palette = rng.integers(0, 256, size=pal_entries * 3).astype(np.uint8).tolist()
        trns_bytes = None
        if trns == "key":
            if ct == 0:
                samples[h // 2, :, 0] = samples[0, 0, 0]
                trns_bytes = struct.pack(">H", int(samples[0, 0, 0]))
            else:
                samples[h // 2, :, :] = samples[0, 0, :]
                trns_bytes = struct.pack(">HHH", *[int(v) for v in samples[0, 0, :]])
        elif trns == "palette":
            trns_bytes = bytes(rng.integers(0, 256, size=max(1, pal_entries - 1)).astype(np.uint8).tolist())
        filename = path("png", name + ".png")
        write_png(filename, samples, depth, ct, interlace, palette, trns_bytes, exif)
        case = {"name": name, "input": rel(filename), "width": w, "height": h, "format": fmt}
        if trns_bytes is not None:
            case["trns"] = trns_bytes
        im = Image.open(filename)
        im.load()
        expected = our_layout(im, case)
        case.pop("trns", None)
        out = path("expected", name + ".bin")
        expected.astype(np.uint8).tofile(out)
        case["expected"] = rel(out)
        case["orientation"] = 1 if exif is None else Image.open(filename).getexif().get(0x0112, 1)
        cases.append(case)

    add("png_gray1", 17, 13, 1, 0, "L")
    add("png_gray2", 17, 13, 2, 0, "L")
    add("png_gray4", 17, 13, 4, 0, "L")
    add("png_gray8", 33, 21, 8, 0, "L")
    add("png_gray16", 19, 11, 16, 0, "L")
    add("png_gray8_trns", 17, 13, 8, 0, "LA", trns="key")
    add("png_gray16_trns", 9, 7, 16, 0, "LA", trns="key")
    add("png_rgb8", 33, 21, 8, 2, "RGB")
    add("png_rgb16", 19, 11, 16, 2, "RGB")
    add("png_rgb8_trns", 17, 13, 8, 2, "RGBA", trns="key")
    add("png_pal1", 17, 13, 1, 3, "RGB", pal_entries=2)
    add("png_pal2", 17, 13, 2, 3, "RGB", pal_entries=4)
    add("png_pal4", 23, 9, 4, 3, "RGB", pal_entries=16)
    add("png_pal8", 33, 21, 8, 3, "RGB", pal_entries=200)
    add("png_pal8_trns", 17, 13, 8, 3, "RGBA", pal_entries=60, trns="palette")
    add("png_ga8", 17, 13, 8, 4, "LA")
    add("png_ga16", 17, 13, 16, 4, "LA")
    add("png_rgba8", 33, 21, 8, 6, "RGBA")
    add("png_rgba16", 19, 11, 16, 6, "RGBA")
    add("png_1x1", 1, 1, 8, 2, "RGB")
    add("png_interlaced_rgb8", 33, 21, 8, 2, "RGB", interlace=True)
    add("png_interlaced_gray1", 17, 13, 1, 0, "L", interlace=True)
    add("png_interlaced_pal4", 11, 9, 4, 3, "RGB", interlace=True, pal_entries=16)
    add("png_interlaced_rgba16", 9, 5, 16, 6, "RGBA", interlace=True)
    add("png_interlaced_tiny", 3, 2, 8, 0, "L", interlace=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    add("png_exif6", 17, 13, 8, 2, "RGB", exif=exif.tobytes()[6:])
    return cases


# ---------------------------------------------------------------------------------------------- JPEG
def save_ppm(arr):
    f = tempfile.NamedTemporaryFile(suffix=".ppm" if arr.ndim == 3 else ".pgm", delete=False)
    Image.fromarray(arr).save(f.name)
    return f.name


def cjpeg(arr, filename, *args):
    src = save_ppm(arr)
    try:
        subprocess.run(["cjpeg", *args, "-outfile", filename, src], check=True)
    finally:
        os.unlink(src)


def jpeg_cases():
    cases = []

    def record(name, filename, transpose=False):
        im = Image.open(filename)
        orientation = im.getexif().get(0x0112, 1)
        fmt = "L" if im.mode == "L" else "RGB"
        arr = np.array(im.convert(fmt))
        out = path("expected", name + ".bin")
        arr.tofile(out)
        case = {"name": name, "input": rel(filename), "width": im.width, "height": im.height, "format": fmt,
                "expected": rel(out), "orientation": orientation}
        if transpose:
            t = ImageOps.exif_transpose(im.convert(fmt))
            tout = path("expected", name + ".transposed.bin")
            np.array(t).tofile(tout)
            case["transposed"] = {"width": t.width, "height": t.height, "expected": rel(tout)}
        cases.append(case)

    def pillow(name, arr, transpose=False, **kw):
        filename = path("jpeg", name + ".jpg")
        Image.fromarray(arr).save(filename, "JPEG", **kw)
        record(name, filename, transpose)

    def viacjpeg(name, arr, *args):
        filename = path("jpeg", name + ".jpg")
        cjpeg(arr, filename, *args)
        record(name, filename)

    big = photo(64, 48, 11)
    odd = photo(17, 13, 12)
    pillow("jpeg_420_q90", big, quality=90, subsampling=2)
    pillow("jpeg_422_q90", big, quality=90, subsampling=1)
    pillow("jpeg_444_q90", big, quality=90, subsampling=0)
    pillow("jpeg_420_q75_default", big)
    pillow("jpeg_420_q20", big, quality=20)
    pillow("jpeg_444_q100", big, quality=100, subsampling=0)
    pillow("jpeg_gray_q85", photo(64, 48, 13, channels=1)[..., 0], quality=85)
    pillow("jpeg_odd_420", odd, quality=90, subsampling=2)
    pillow("jpeg_odd_422", odd, quality=90, subsampling=1)
    pillow("jpeg_odd_444", odd, quality=90, subsampling=0)
    pillow("jpeg_tiny_2x2_420", photo(2, 2, 14), quality=90)
    pillow("jpeg_tiny_3x5_420", photo(3, 5, 15), quality=90)
    pillow("jpeg_progressive_420", big, quality=85, progressive=True)
    pillow("jpeg_progressive_444", odd, quality=85, progressive=True, subsampling=0)
    pillow("jpeg_progressive_gray", photo(37, 29, 16, channels=1)[..., 0], quality=85, progressive=True)
    pillow("jpeg_progressive_odd_420", photo(41, 27, 17), quality=70, progressive=True)
    viacjpeg("jpeg_restart_rows", big, "-quality", "85", "-restart", "1")
    viacjpeg("jpeg_restart_3blocks", odd, "-quality", "85", "-restart", "3B", "-sample", "2x2")
    viacjpeg("jpeg_restart_progressive", big, "-quality", "80", "-restart", "2B", "-progressive")
    viacjpeg("jpeg_sample_1x2", big, "-quality", "90", "-sample", "1x2")
    viacjpeg("jpeg_sample_1x2_odd", odd, "-quality", "90", "-sample", "1x2")
    viacjpeg("jpeg_sample_4x1", photo(45, 19, 18), "-quality", "90", "-sample", "4x1")
    viacjpeg("jpeg_rgb_colorspace", odd, "-quality", "90", "-rgb")
    viacjpeg("jpeg_optimized_huffman", big, "-quality", "90", "-optimize")
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        pillow(f"jpeg_exif_orientation{orientation}", photo(13, 7, 20 + orientation), transpose=True,
               quality=90, exif=exif.tobytes())
    return cases


# -------------------------------------------------------------------------------------------- resize
RESAMPLE = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
            "lanczos": Image.LANCZOS, "box": Image.BOX, "hamming": Image.HAMMING}


def resize_cases():
    sources = {
        "rgb": Image.fromarray(photo(37, 29, 30)),
        "gray": Image.fromarray(photo(23, 31, 31, channels=1)[..., 0]),
        "rgba": Image.fromarray(np.concatenate([photo(21, 17, 32), photo(21, 17, 33, channels=1)], axis=-1), "RGBA"),
    }
    sizes = {"rgb": [(17, 13), (80, 61), (37, 5), (11, 45), (7, 3), (111, 29)],
             "gray": [(9, 14), (50, 70), (23, 10)],
             "rgba": [(10, 8), (44, 35)]}
    cases = []
    for key, im in sources.items():
        src = path("resize", f"source_{key}.png")
        im.save(src)
        for w, h in sizes[key]:
            for fname, f in RESAMPLE.items():
                out = im.resize((w, h), f)
                dst = path("resize", f"{key}_{fname}_{w}x{h}.bin")
                np.array(out).tofile(dst)
                cases.append({"source": rel(src), "filter": fname, "width": w, "height": h,
                              "format": im.mode, "expected": rel(dst)})
    return cases


# ---------------------------------------------------------------------------------------- preprocess
def tv_resize_shorter(im, size):
    """torchvision Resize(int) on a PIL image (functional.resize -> _compute_resized_output_size)."""
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    if (new_w, new_h) == (w, h):
        return im
    return im.resize((new_w, new_h), Image.BILINEAR)


def tv_center_crop(im, size):
    """torchvision CenterCrop(int) on a PIL image (pads with 0 when needed, Python round())."""
    w, h = im.size
    if size > w or size > h:
        pl = (size - w) // 2 if size > w else 0
        pt = (size - h) // 2 if size > h else 0
        pr = (size - w + 1) // 2 if size > w else 0
        pb = (size - h + 1) // 2 if size > h else 0
        canvas = Image.new(im.mode, (w + pl + pr, h + pt + pb), 0)
        canvas.paste(im, (pl, pt))
        im = canvas
        w, h = im.size
        if (w, h) == (size, size):
            return im
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return im.crop((left, top, left + size, top + size))


def expand2square(pil_img, background_color):
    """MiniGPT-5 / LLaVA expand2square."""
    width, height = pil_img.size
    if width == height:
        return pil_img
    if width > height:
        result = Image.new(pil_img.mode, (width, width), background_color)
        result.paste(pil_img, (0, (width - height) // 2))
        return result
    result = Image.new(pil_img.mode, (height, height), background_color)
    result.paste(pil_img, ((height - width) // 2, 0))
    return result


def to_tensor(im):
    arr = np.array(im, dtype=np.uint8)
    return (arr.transpose(2, 0, 1).astype(np.float32) / np.float32(255))


def normalize(t, mean, std):
    return (t - np.array(mean, dtype=np.float32)[:, None, None]) / np.array(std, dtype=np.float32)[:, None, None]


def preprocess_cases():
    cases = []
    sources = {
        "wide_jpeg": ("jpeg", photo(97, 61, 40)),
        "tall_png": ("png", photo(40, 70, 41)),
        "large_png": ("png", photo(300, 260, 42)),
    }
    for name, (kind, arr) in sources.items():
        src = path("preprocess", f"{name}.{'jpg' if kind == 'jpeg' else 'png'}")
        Image.fromarray(arr).save(src, quality=92) if kind == "jpeg" else Image.fromarray(arr).save(src)
        im = Image.open(src).convert("RGB")
        for pad in (False, True):
            clip_img = tv_center_crop(tv_resize_shorter(expand2square(im, (255, 255, 255)) if pad else im, 224), 224)
            p = path("preprocess", f"{name}_clip{'_pad' if pad else ''}.png")
            clip_img.save(p)
            t = normalize(to_tensor(clip_img), CLIP_MEAN, CLIP_STD)
            cases.append({"source": rel(src), "pipeline": "clip", "pad": pad, "pixels": rel(p),
                          "corner": t[:, :4, :4].reshape(-1).tolist(), "mean": float(t.astype(np.float64).mean()),
                          "std": float(t.astype(np.float64).std())})
        sd_img = tv_center_crop(tv_resize_shorter(expand2square(im, (255, 255, 255)), 512), 512)
        p = path("preprocess", f"{name}_sd.png")
        sd_img.save(p)
        t = normalize(to_tensor(sd_img), (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
        cases.append({"source": rel(src), "pipeline": "sd", "pad": True, "pixels": rel(p),
                      "corner": t[:, 254:258, 254:258].reshape(-1).tolist(), "corner_at": [254, 254],
                      "mean": float(t.astype(np.float64).mean()), "std": float(t.astype(np.float64).std())})
    # VAE output -> uint8 exactly as diffusers' postprocess does (denormalize, then numpy_to_pil rounding).
    rng = np.random.default_rng(43)
    vae = rng.uniform(-1.2, 1.2, size=(3, 8, 8)).astype(np.float32)
    vae[0, 0, :4] = [np.float32(-1), np.float32(1), np.float32(0.5 / 255 * 2 - 1), np.float32(2.5 / 255 * 2 - 1)]
    images = np.clip(vae / 2 + 0.5, 0, 1).transpose(1, 2, 0)
    uint8 = (images * 255).round().astype("uint8")
    vp = path("preprocess", "vae_output.f32")
    vae.tofile(vp)
    up = path("preprocess", "vae_output_uint8.bin")
    uint8.tofile(up)
    cases.append({"pipeline": "vae", "input": rel(vp), "expected": rel(up), "shape": [3, 8, 8]})
    return cases


# -------------------------------------------------------------------------------------------- encode
def encode_cases():
    cases = []
    sources = {"enc_rgb_64x48": photo(64, 48, 50), "enc_rgb_odd_35x21": photo(35, 21, 51),
               "enc_rgb_20x20": photo(20, 20, 52), "enc_gray_33x17": photo(33, 17, 53, channels=1)[..., 0]}
    for name, arr in sources.items():
        src = path("encode", f"{name}.png")
        Image.fromarray(arr).save(src)
        settings = [(75, 2), (90, 2), (90, 1), (90, 0), (30, 2), (100, 0)] if arr.ndim == 3 else [(75, 2), (95, 2)]
        for quality, sub in settings:
            dst = path("encode", f"{name}_q{quality}_s{sub}.jpg")
            # Gray files get no subsampling argument: Pillow would write 2x2 factors on the single component.
            extra = {"subsampling": sub} if arr.ndim == 3 else {}
            Image.fromarray(arr).save(dst, "JPEG", quality=quality, **extra)
            cases.append({"source": rel(src), "quality": quality, "subsampling": sub, "pillow": rel(dst)})
    return cases


# -------------------------------------------------------------------------------------------- refuse
def refuse_cases():
    cases = []
    arr = photo(8, 8, 60)
    for fmt, ext, expect in [("GIF", "gif", "Gif"), ("BMP", "bmp", "Bmp"), ("TIFF", "tif", "Tiff"),
                             ("WEBP", "webp", "WebP")]:
        if fmt == "WEBP" and not features.check("webp"):
            continue
        p = path("bad", f"tiny.{ext}")
        Image.fromarray(arr).save(p, fmt)
        cases.append({"input": rel(p), "format": expect, "message": expect})
    p = path("bad", "arithmetic.jpg")
    cjpeg(arr, p, "-arithmetic")
    cases.append({"input": rel(p), "format": "Jpeg", "message": "arithmetic"})
    p = path("bad", "cmyk.jpg")
    Image.fromarray(arr).convert("CMYK").save(p, "JPEG")
    cases.append({"input": rel(p), "format": "Jpeg", "message": "CMYK"})
    return cases


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def verify():
    """Decode the files our encoders wrote (tests/golden/imaging/ours/, refreshed by the C# tests when
    MINIGPT5_WRITE_GOLDENS=1) with Pillow and check them against their sources."""
    ours = os.path.join(OUT, "ours")
    report = {}
    for name in sorted(os.listdir(ours)):
        if name.endswith(".json") or "__" not in name:
            continue
        p = os.path.join(ours, name)
        stem = name.rsplit(".", 1)[0]
        im = Image.open(p)
        im.load()
        got = np.array(im)
        # Compare in the decoded mode: Pillow opens lossless WebP as RGB/RGBA even when we wrote gray.
        src = np.array(Image.open(os.path.join(ours, stem.split("__")[0] + ".png")).convert(im.mode))
        if name.endswith(".png") and "__" in name:
            ok = np.array_equal(got, src)
            report[name] = {"pillow_decodes": True, "identical": bool(ok)}
        elif name.endswith(".webp"):
            ok = np.array_equal(got, src)
            report[name] = {"pillow_decodes": True, "lossless": bool(ok), "mode": im.mode}
        elif name.endswith(".jpg"):
            report[name] = {"pillow_decodes": True, "psnr_db": round(psnr(got, src), 2)}
        print(name, report.get(name))
    with open(os.path.join(ours, "pillow_verification.json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)


def main():
    if "--verify" in sys.argv:
        verify()
        return
    manifest["decode"] = png_cases() + jpeg_cases()
    manifest["resize"] = resize_cases()
    manifest["preprocess"] = preprocess_cases()
    manifest["encode"] = encode_cases()
    manifest["refuse"] = refuse_cases()
    manifest["generator"] = {"pillow": Image.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"),
                             "numpy": np.__version__, "webp": features.check("webp")}
    with open(path("manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f"wrote {OUT}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
