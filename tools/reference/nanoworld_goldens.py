#!/usr/bin/python3
"""An independent Python implementation of the nano world's documented algorithms, used two ways.

1. Goldens (default): writes tests/golden/nanoworld/ -- the SplitMix64 / Lemire / DeriveSeed sequences, the
   first caption samples and stories of seed 0 per split (scene sampler, caption writer, story generator and
   content-hash split rule, re-implemented here from src/MiniGpt5.Training/NanoWorld/README.md), and PNG
   renders of hand-picked scenes (the 4x4-supersampled rasteriser). The C# tests must reproduce them exactly.

       /usr/bin/python3 tools/reference/nanoworld_goldens.py

2. Dataset check: reads a folder written by `minigpt5 dataset nano` the way MiniGPT-5's dataloader.py does
   (tab-separated CC3M file with header caption/image_path, pre_caption, VIST *_cleaned.json with its
   *_image_mapping.json found by replacing "cleaned", images opened with PIL and converted to RGB), and, for
   every image, re-renders the scene the caption names with this script's rasteriser and compares pixels.

       /usr/bin/python3 tools/reference/nanoworld_goldens.py --check DIR

Needs only the standard library and Pillow (Debian's python3 has both).
"""

import argparse
import csv
import hashlib
import json
import os
import re
import sys

from PIL import Image

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "nanoworld"))

M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


# ---------------------------------------------------------------------------------------------------------
# PRNG: SplitMix64 + Lemire bounded integers

def finalize(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def mix(v):
    return finalize((v + GAMMA) & M64)


def derive_seed(seed, stream, index):
    return mix(mix(mix(seed) ^ stream) ^ index)


class Rng:
    def __init__(self, seed):
        self.state = seed & M64

    def u64(self):
        self.state = (self.state + GAMMA) & M64
        return finalize(self.state)

    def next_int(self, n):
        m = self.u64() * n
        low = m & M64
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.u64() * n
                low = m & M64
        return m >> 64

    def next_double(self):
        return (self.u64() >> 11) * (1.0 / (1 << 53))

    def chance(self, p):
        return self.next_double() < p

    def pick(self, items):
        return items[self.next_int(len(items))]

    def pick_weighted(self, weights):
        ticket = self.next_int(sum(weights))
        for i, w in enumerate(weights):
            ticket -= w
            if ticket < 0:
                return i
        raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------------------
# The world's vocabulary, palette and geometry

KINDS = ["circle", "square", "triangle", "rectangle"]
COLORS = ["red", "orange", "yellow", "green", "blue", "purple", "black"]
COLOR_RGB = [(215, 25, 35), (250, 135, 0), (235, 205, 0), (25, 150, 45), (25, 85, 225), (145, 35, 165), (25, 25, 25)]
BACKGROUNDS = ["white", "pale blue", "pale green", "pale pink", "pale yellow"]
BACKGROUND_RGB = [(252, 252, 252), (175, 205, 250), (180, 235, 185), (250, 190, 210), (250, 235, 160)]
SIZES = ["small", "big"]
SIZE_SYNONYMS = ["little", "large"]
SIZE_PIXELS = [10, 16]
CENTERS = [11, 32, 53]
ROWS = ["top", "middle", "bottom"]
COLUMNS = ["left", "center", "right"]


class Obj:
    def __init__(self, kind, color, size, cell):
        self.kind, self.color, self.size, self.cell = kind, color, size, cell

    def looks(self):
        return (self.kind, self.color, self.size)

    def with_(self, **changes):
        values = dict(kind=self.kind, color=self.color, size=self.size, cell=self.cell)
        values.update(changes)
        return Obj(**values)


class Scene:
    def __init__(self, background, objects):
        self.background = background
        self.objects = sorted(objects, key=lambda o: o.cell)
        assert 1 <= len(self.objects) <= 3 and len({o.cell for o in self.objects}) == len(self.objects)

    def key(self):
        parts = [f"{SIZES[o.size]}-{COLORS[o.color]}-{KINDS[o.kind]}@{o.cell}" for o in self.objects]
        return BACKGROUNDS[self.background].replace(" ", "-") + "|" + ";".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Scene sampler

def distinct_cells(rng, count, excluded=()):
    pool = [c for c in range(9) if c not in excluded]
    for i in range(count):
        j = i + rng.next_int(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def random_object(rng, cell):
    kind = rng.next_int(len(KINDS))
    color = rng.next_int(len(COLORS))
    size = rng.next_int(len(SIZES))
    return Obj(kind, color, size, cell)


def new_object(rng, cell, existing):
    if existing and rng.chance(0.35):
        return rng.pick(existing).with_(cell=cell)
    return random_object(rng, cell)


def sample_scene(rng):
    background = rng.next_int(len(BACKGROUNDS))
    count = 1 + rng.pick_weighted([40, 35, 25])
    objects = []
    for cell in distinct_cells(rng, count):
        objects.append(new_object(rng, cell, objects))
    return Scene(background, objects)


# ---------------------------------------------------------------------------------------------------------
# Caption writer

def position_phrase(cell, variant):
    row, column = ROWS[cell // 3], COLUMNS[cell % 3]
    alt = variant == 1
    if row == "middle" and column == "center":
        return "in the center" if alt else "in the middle"
    if row == "middle":
        return f"on the {column} side" if alt else f"on the {column}"
    if column == "center":
        return f"at the {row} center" if alt else f"at the {row}"
    return f"in the {row} {column} corner" if alt else f"at the {row} {column}"


def join_list(items):
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + " and " + items[-1]


def groups_of(scene):
    groups = []
    for o in scene.objects:
        for g in groups:
            if g[0].looks() == o.looks():
                g.append(o)
                break
        else:
            groups.append([o])
    return groups


def write_caption(scene, style):
    template, synonyms, variant, one_by_one = style
    groups = groups_of(scene)
    phrases = []
    for g in groups:
        first = g[0]
        size = SIZE_SYNONYMS[first.size] if synonyms else SIZES[first.size]
        count_word = {1: "an" if size[0] in "aeiou" else "a", 2: "two", 3: "three"}[len(g)]
        noun = KINDS[first.kind] + ("s" if len(g) > 1 else "")
        phrase = f"{count_word} {size} {COLORS[first.color]} {noun}"
        places = [position_phrase(o.cell, variant) for o in g]
        if len(g) > 1 and one_by_one:
            phrase += ", " + join_list(["one " + p for p in places])
        else:
            phrase += " " + join_list(places)
        phrases.append(phrase)
    objects = join_list(phrases)
    be = "is" if len(groups[0]) == 1 else "are"
    bg = BACKGROUNDS[scene.background]
    sentence = [
        f"{objects} on a {bg} background",
        f"on a {bg} background, there {be} {objects}",
        f"a {bg} background with {objects}",
        f"{objects}, and the background is {bg}",
        f"there {be} {objects} against a {bg} background",
    ][template]
    return sentence + "."


def sample_style(rng):
    template = rng.next_int(5)
    synonyms = rng.chance(0.2)
    variant = 1 if rng.chance(0.25) else 0
    one_by_one = rng.chance(0.5)
    return (template, synonyms, variant, one_by_one)


# ---------------------------------------------------------------------------------------------------------
# Story generator

EVENTS = ["Appear", "Disappear", "Move", "Recolor", "Resize", "ChangeBackground"]
EVENT_WEIGHTS = [3, 2, 3, 2, 2, 1]
OPENERS = ["first", "at first", "in the beginning"]
CONNECTIVES = ["then", "next", "after that", "suddenly", "later"]


def applies(event, scene):
    if event == "Appear":
        return len(scene.objects) < 3
    if event == "Disappear":
        return len(scene.objects) > 1
    return True


def apply_event(event, scene, rng):
    occupied = {o.cell for o in scene.objects}
    if event == "Appear":
        cell = distinct_cells(rng, 1, occupied)[0]
        return Scene(scene.background, scene.objects + [new_object(rng, cell, scene.objects)])
    if event == "ChangeBackground":
        return Scene(rng.pick([b for b in range(len(BACKGROUNDS)) if b != scene.background]), scene.objects)
    target = rng.pick(scene.objects)
    rest = [o for o in scene.objects if o is not target]
    if event == "Disappear":
        return Scene(scene.background, rest)
    if event == "Move":
        replacement = target.with_(cell=distinct_cells(rng, 1, occupied)[0])
    elif event == "Recolor":
        replacement = target.with_(color=rng.pick([c for c in range(len(COLORS)) if c != target.color]))
    else:
        replacement = target.with_(size=1 - target.size)
    return Scene(scene.background, rest + [replacement])


def connective(rng, index, count):
    if index == 0:
        return rng.pick(OPENERS) if rng.chance(0.5) else None
    if not rng.chance(0.8):
        return None
    return "finally" if index == count - 1 and rng.chance(0.5) else rng.pick(CONNECTIVES)


def generate_story(rng):
    steps = 3 + rng.next_int(3)
    scenes = [(sample_scene(rng), "Start")]
    while len(scenes) < steps:
        previous = scenes[-1][0]
        weights = [w if applies(e, previous) else 0 for e, w in zip(EVENTS, EVENT_WEIGHTS)]
        event = EVENTS[rng.pick_weighted(weights)]
        scenes.append((apply_event(event, previous, rng), event))
    texts = []
    for i in range(steps):
        c = connective(rng, i, steps)
        caption = write_caption(scenes[i][0], sample_style(rng))
        texts.append(caption if c is None else f"{c}, {caption}")
    return [s for s, _ in scenes], [e for _, e in scenes], texts


# ---------------------------------------------------------------------------------------------------------
# Splits and candidate streams

def split_of(key):
    bucket = int.from_bytes(hashlib.sha256(("nanoworld|" + key).encode()).digest()[:8], "little") % 100
    return "train" if bucket < 90 else "val" if bucket < 95 else "test"


def caption_samples(seed, split, count):
    out, i = [], 0
    while len(out) < count:
        rng = Rng(derive_seed(seed, 1, i))
        scene = sample_scene(rng)
        if split_of(scene.key()) == split:
            out.append((i, scene, write_caption(scene, sample_style(rng))))
        i += 1
    return out


def story_samples(seed, split, count):
    out, i = [], 0
    while len(out) < count:
        scenes, events, texts = generate_story(Rng(derive_seed(seed, 2, i)))
        if split_of(" > ".join(s.key() for s in scenes)) == split:
            out.append((i, scenes, events, texts))
        i += 1
    return out


# ---------------------------------------------------------------------------------------------------------
# Rasteriser: 4x4 supersampling, integer blend

def bounds(o):
    cx, cy = CENTERS[o.cell % 3], CENTERS[o.cell // 3]
    width = float(SIZE_PIXELS[o.size])
    height = width / 2 if KINDS[o.kind] == "rectangle" else width
    return cx - width / 2, cy - height / 2, width, height


def contains(o, x, y):
    left, top, width, height = bounds(o)
    if x < left or y < top or x >= left + width or y >= top + height:
        return False
    cx = left + width / 2
    kind = KINDS[o.kind]
    if kind in ("square", "rectangle"):
        return True
    if kind == "circle":
        cy = top + height / 2
        r = width / 2
        return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r
    return abs(x - cx) * height < (y - top) * (width / 2)


def render(scene):
    bg = BACKGROUND_RGB[scene.background]
    pixels = [list(bg) for _ in range(64 * 64)]
    for o in scene.objects:
        colour = COLOR_RGB[o.color]
        left, top, width, height = bounds(o)
        import math
        for y in range(max(0, math.floor(top)), min(64, math.ceil(top + height))):
            for x in range(max(0, math.floor(left)), min(64, math.ceil(left + width))):
                inside = sum(1 for j in range(4) for i in range(4) if contains(o, x + (i + 0.5) / 4, y + (j + 0.5) / 4))
                if inside:
                    pixels[y * 64 + x] = [(b * (16 - inside) + c * inside + 8) // 16 for b, c in zip(bg, colour)]
    image = Image.new("RGB", (64, 64))
    image.putdata([tuple(p) for p in pixels])
    return image


# ---------------------------------------------------------------------------------------------------------
# Outputs

GOLDEN_SCENES = [
    # (background, [(kind, color, size, cell)]) covering every kind, colour, size, cell and background.
    (0, [(0, 0, 1, 0), (1, 1, 0, 4), (2, 2, 1, 8)]),
    (1, [(3, 3, 1, 1), (3, 4, 0, 7)]),
    (2, [(2, 5, 0, 2), (0, 6, 0, 6)]),
    (3, [(1, 0, 1, 3), (2, 4, 1, 5)]),
    (4, [(0, 2, 0, 0), (3, 1, 0, 4), (1, 6, 1, 8)]),
    (0, [(2, 3, 0, 6), (0, 5, 1, 2), (3, 0, 1, 5)]),
    (2, [(1, 2, 0, 7)]),
    (4, [(2, 2, 1, 4)]),
]


def write_goldens():
    os.makedirs(os.path.join(OUT, "renders"), exist_ok=True)
    prng = {"outputs": {}, "next_int": {}, "next_double": [], "derive_seed": []}
    for seed in [0, 1, 1234567, M64]:
        rng = Rng(seed)
        prng["outputs"][str(seed)] = [str(rng.u64()) for _ in range(6)]
    for n in [1, 2, 3, 7, 1000, 2**31 - 1]:
        rng = Rng(42)
        prng["next_int"][str(n)] = [rng.next_int(n) for _ in range(12)]
    rng = Rng(7)
    prng["next_double"] = [repr(rng.next_double()) for _ in range(6)]
    for seed, stream, index in [(0, 1, 0), (0, 1, 1), (0, 2, 0), (99, 1, 12345), (M64, M64, M64)]:
        prng["derive_seed"].append([str(seed), str(stream), str(index), str(derive_seed(seed, stream, index))])

    samples = {"seed": 0, "captions": {}, "stories": {}}
    for split, n in [("train", 25), ("val", 5), ("test", 10)]:
        samples["captions"][split] = [[i, s.key(), c] for i, s, c in caption_samples(0, split, n)]
    for split, n in [("train", 8), ("test", 4)]:
        samples["stories"][split] = [
            {"candidate": i, "keys": [s.key() for s in scenes], "events": events, "texts": texts}
            for i, scenes, events, texts in story_samples(0, split, n)
        ]

    renders = []
    for n, (background, objects) in enumerate(GOLDEN_SCENES):
        scene = Scene(background, [Obj(*o) for o in objects])
        name = f"{n:02d}.png"
        render(scene).save(os.path.join(OUT, "renders", name))
        renders.append({
            "file": name, "key": scene.key(), "background": background,
            "objects": [[o.kind, o.color, o.size, o.cell] for o in scene.objects],
        })

    for name, value in [("prng.json", prng), ("samples.json", samples), ("renders.json", renders)]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(value, f, indent=1)
            f.write("\n")
    print(f"wrote goldens to {OUT}")


# ---------------------------------------------------------------------------------------------------------
# Dataset check

WORDS = re.compile(r"[a-z]+|[0-9]+")


def pre_caption(caption):
    # MiniGPT-5 dataloader.py CC3MDataset.pre_caption
    caption = re.sub(r"([.!\"()*#:;~])", " ", caption.lower())
    caption = re.sub(r"\s{2,}", " ", caption)
    return caption.rstrip("\n").strip(" ")


def scene_from_caption(text):
    """A deliberately simple reader for captions this script's writer produces (not the C# parser)."""
    words = WORDS.findall(text.lower())
    bg = None
    for i, w in enumerate(words):
        if w == "white":
            bg = 0
        if w == "pale" and i + 1 < len(words) and "pale " + words[i + 1] in BACKGROUNDS:
            bg = BACKGROUNDS.index("pale " + words[i + 1])
    counts = {"a": 1, "an": 1, "two": 2, "three": 3}
    size_of = {"small": 0, "little": 0, "big": 1, "large": 1}
    groups = []
    for i, w in enumerate(words):
        noun = w[:-1] if w.endswith("s") and w[:-1] in KINDS else w
        if noun in KINDS and i >= 3 and words[i - 1] in COLORS and (i < 2 or words[i - 2] != "pale"):
            groups.append([KINDS.index(noun), COLORS.index(words[i - 1]), size_of[words[i - 2]], counts[words[i - 3]], i, []])
    for i, w in enumerate(words):
        if w in ("at", "on", "in") and i + 2 < len(words) and words[i + 1] == "the" and words[i + 2] in ROWS + COLUMNS:
            place = words[i + 2:i + 4]
            row = 0 if "top" in place else 2 if "bottom" in place else 1
            col = 0 if "left" in place else 2 if "right" in place else 1
            owner = [g for g in groups if g[4] < i][-1]
            owner[5].append(row * 3 + col)
    objects = []
    for kind, color, size, count, _, cells in groups:
        assert len(cells) == count, text
        objects += [Obj(kind, color, size, c) for c in cells]
    return Scene(bg, objects)


def check_image(path, caption):
    image = Image.open(path).convert("RGB")
    if image.size != (64, 64):
        raise SystemExit(f"{path}: {image.size}, expected 64x64")
    expected = render(scene_from_caption(caption))
    if list(image.getdata()) != list(expected.getdata()):
        raise SystemExit(f"{path}: pixels differ from the Python rendering of '{caption}'")


def check(folder):
    checked = 0
    cc3m = os.path.join(folder, "CC3M")
    for split in ["train", "val", "test"]:
        tsv = os.path.join(cc3m, f"cc3m_{split}.tsv")
        if os.path.exists(tsv):
            with open(tsv, newline="") as f:
                rows = list(csv.DictReader(f, delimiter="\t"))
            for row in rows:
                assert set(row) == {"caption", "image_path"}, row
                caption = pre_caption(row["caption"])
                assert caption and "\t" not in caption
                check_image(os.path.join(cc3m, row["image_path"]), caption)
                checked += 1
            print(f"{tsv}: {len(rows)} rows OK")
    vist = os.path.join(folder, "VIST")
    for split in ["train", "val", "test"]:
        data_path = os.path.join(vist, f"{split}_cleaned.json")
        if os.path.exists(data_path):
            with open(data_path) as f:
                tasks = json.load(f)
            with open(data_path.replace("cleaned", "image_mapping")) as f:
                mapping = json.load(f)
            for story_id, steps in tasks.items():
                assert 3 <= len(steps) <= 5, story_id
                for n, step in enumerate(steps):
                    assert step["sequence_index"] == n
                    check_image(os.path.join(vist, mapping[step["image_id"]]), step["caption"])
                    checked += 1
            print(f"{data_path}: {len(tasks)} stories OK")
    print(f"{checked} images match their captions")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="DIR", help="check a dataset folder instead of writing goldens")
    args = parser.parse_args()
    if args.check:
        check(args.check)
    else:
        write_goldens()


if __name__ == "__main__":
    sys.exit(main())
