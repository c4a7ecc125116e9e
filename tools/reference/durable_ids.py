#!/usr/bin/env python3
"""Golden values for the durable runtime's identifiers, from Python's standard library (the reference):

* NewGuid: RFC 4122 version 5 UUIDs (uuid.uuid5) in the Durable Functions namespace
  9e952958-5e33-4daf-827f-2fa12937b875, over names shaped like "{instanceId}_{CurrentUtcDateTime:o}_{counter}".
* Partitioning: 32-bit FNV-1a over the instance id's UTF-8 bytes, then modulo the partition count.

Writes tests/golden/durable/ids.json. Run with /usr/bin/python3 from the repository root.
"""
import json
import pathlib
import uuid

NAMESPACE = uuid.UUID("9e952958-5e33-4daf-827f-2fa12937b875")

GUID_NAMES = [
    "durable-orchestration",
    "order-17_2026-11-22T10:00:00.0000000Z_0",
    "order-17_2026-11-22T10:00:00.0000000Z_1",
    "manuscript:0003_2026-01-02T03:04:05.1234567Z_12",
    "caf\u00e9-\u20ac-\U0001d11e_2026-11-22T10:00:00.0000000Z_0",
]

FNV_INPUTS = ["", "a", "foobar", "instance-42", "caf\u00e9 \u20ac", "5f6a0a5e2b0b4b3c9a1f7d2e8c4b6a10"]


def fnv1a32(text: str) -> int:
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def main() -> None:
    root = pathlib.Path(__file__).resolve().parents[2]
    out = root / "tests" / "golden" / "durable" / "ids.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "namespace": str(NAMESPACE),
        "guids": [{"name": n, "uuid": str(uuid.uuid5(NAMESPACE, n))} for n in GUID_NAMES],
        "fnv1a32": [
            {"text": t, "hash": fnv1a32(t), "partition4": fnv1a32(t) % 4, "partition16": fnv1a32(t) % 16}
            for t in FNV_INPUTS
        ],
    }
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
