#!/usr/bin/env python3
"""End-to-end tests of the tfqkd command: what a person running it sees.

Usage: cli_test.py PATH_TO_TFQKD
Prints TAP (one "ok N - name" line per check), which Meson counts check by check.
"""
import json
import os
import subprocess
import sys
import tempfile

from tap import check, finish

TFQKD = sys.argv[1]


def run(*args):
    return subprocess.run([TFQKD, *args], capture_output=True, text=True, timeout=120)




with tempfile.TemporaryDirectory() as tmp:
    frames = os.path.join(tmp, "frames.bin")

    r = run("transcript", "--seed", "7", "--out", frames)
    check("transcript exits 0", r.returncode == 0, r.stderr)
    check("transcript says every frame decoded back", "every frame decoded back" in r.stdout, r.stdout[-400:])
    for message in ("session_params", "detection_report", "aopp_pairing", "privacy_amplification", "abort"):
        check(f"transcript lists {message}", message in r.stdout, r.stdout[:400])

    again = run("transcript", "--seed", "7")
    check("transcript is reproducible from its seed",
          again.stdout.splitlines()[:-1] == r.stdout.splitlines()[:-2],  # the last lines carry timing and --out
          "outputs differ")

    d = run("wire", "decode", frames)
    check("wire decode exits 0 on the transcript", d.returncode == 0, d.stderr)
    lines = [json.loads(line) for line in d.stdout.splitlines()]
    check("wire decode prints one JSON line per frame", len(lines) == 20, str(len(lines)))
    check("frames carry the message type and the decoded message",
          lines and lines[0]["message_type"] == "session_params" and "alice_settings" in lines[0]["message"])
    check("peer frames show their tag, relay frames none",
          "tag" in lines[0] and all("tag" not in l for l in lines if 3 in (l["sender"], l["receiver"])))

    hexfile = os.path.join(tmp, "frames.hex")
    with open(frames, "rb") as f:
        data = f.read()
    with open(hexfile, "w") as f:
        f.write(data.hex(" ", 16))
    h = run("wire", "decode", "--hex", hexfile)
    check("wire decode --hex reads hex with white space", h.returncode == 0 and h.stdout == d.stdout, h.stderr)

    # A corrupted frame: the error names the file, the frame, the byte offset, message, field, reason.
    bad = bytearray(data)
    first_len = 28 + int.from_bytes(data[24:28], "big") + 16
    bad[first_len + 5] = 0x03  # the second frame's type byte: 0x03 is undefined
    badfile = os.path.join(tmp, "bad.bin")
    with open(badfile, "wb") as f:
        f.write(bad)
    b = run("wire", "decode", badfile)
    check("wire decode fails on a corrupted frame", b.returncode == 1, str(b.returncode))
    check("the error names file, frame, offset, field and reason",
          all(s in b.stderr for s in (badfile, "frame 1", f"at byte {first_len}", "frame.type", "unknown_type")),
          b.stderr)
    check("frames before the error were printed", len(b.stdout.splitlines()) == 1, b.stdout)

    t = run("wire", "decode", "--hex", badfile)
    check("wire decode --hex on binary input names the file and the problem",
          t.returncode == 2 and badfile in t.stderr and "hex" in t.stderr, t.stderr)

    missing = run("wire", "decode", os.path.join(tmp, "missing.bin"))
    check("a missing file is an error, not a crash", missing.returncode != 0 and "missing.bin" in missing.stderr,
          missing.stderr)

    small = run("transcript", "--pulses", "10")
    check("out-of-range options are refused with the accepted range",
          small.returncode != 0 and "100000" in small.stderr, small.stderr)

finish()
