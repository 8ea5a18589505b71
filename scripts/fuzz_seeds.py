#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets from the wire vector files.

Every vector input (valid and invalid) becomes a seed file of its target's corpus, named by the
SHA-1 of its contents as libFuzzer names corpus entries: valid inputs lead the fuzzer into every
message's deep structure, invalid ones to the edge of each rule. Dictionaries hold the tokens a
mutator cannot easily guess: the frame magic, type and role bytes, and the spec's boundary values.

Usage: scripts/fuzz_seeds.py  (from anywhere; paths are found from this file)
"""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "protocol" / "tests" / "vectors"
FUZZ = ROOT / "fuzz"

# Boundary values of docs/wire-format.md that appear in many messages, as big-endian tokens.
COMMON_TOKENS = {
    "u32_max_events": (100_000_000).to_bytes(4, "big"),
    "u32_2p24": (1 << 24).to_bytes(4, "big"),
    "u32_2p30": (1 << 30).to_bytes(4, "big"),
    "u32_max": (0xFFFFFFFF).to_bytes(4, "big"),
    "u64_2p48": (1 << 48).to_bytes(8, "big"),
    "u64_2p48_minus_1": ((1 << 48) - 1).to_bytes(8, "big"),
    "varint_overlong_zero": bytes([0x80, 0x00]),
    "varint_2p32": bytes([0x80, 0x80, 0x80, 0x80, 0x10]),
    "f64_one": bytes.fromhex("3ff0000000000000"),
    "f64_negative_zero": bytes.fromhex("8000000000000000"),
    "f64_nan": bytes.fromhex("7ff8000000000000"),
}


def dict_line(name, token):
    escaped = "".join(f"\\x{b:02x}" for b in token)
    return f'{name}="{escaped}"\n'


def main():
    files = sorted(VECTORS.glob("*.json"))
    if not files:
        raise SystemExit(f"no vector files in {VECTORS}: run scripts/wire_vectors.py first")
    (FUZZ / "dict").mkdir(parents=True, exist_ok=True)
    for path in files:
        doc = json.loads(path.read_text())
        target = "fuzz_" + path.stem
        corpus = FUZZ / "corpus" / target
        corpus.mkdir(parents=True, exist_ok=True)
        for old in corpus.iterdir():
            old.unlink()
        count = 0
        for group in doc["testGroups"]:
            for test in group["tests"]:
                data = bytes.fromhex(test["input"])
                (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
                count += 1
        lines = ["# Dictionary for " + target + ", written by scripts/fuzz_seeds.py\n"]
        lines += [dict_line(k, v) for k, v in COMMON_TOKENS.items()]
        if path.stem == "frame":
            lines.append(dict_line("magic", b"TFQK"))
            lines.append(dict_line("magic_version", b"TFQK\x01"))
            for t in (0x01, 0x02, 0x10, 0x11, 0x20, 0x21, 0x22, 0x30, 0x31, 0x40, 0x41, 0x42, 0x50, 0x60, 0x70, 0x7F):
                lines.append(dict_line(f"type_{t:02x}", bytes([t])))
            for s, r in ((1, 2), (2, 1), (1, 3), (2, 3), (3, 1), (3, 2)):
                lines.append(dict_line(f"route_{s}{r}", bytes([s, r])))
        (FUZZ / "dict" / (target + ".dict")).write_text("".join(lines))
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
