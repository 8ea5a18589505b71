#!/usr/bin/env python3
"""End-to-end tests of `tfqkd session`: an embedded example to equal keys of the certified length,
the JSON report and its agreement with the text, the stream transport's identical transcript, a
session that aborts (exit 3, the reason named), and the errors a person sees for bad input.

Usage: session_test.py PATH_TO_TFQKD
Prints TAP (one "ok N - name" line per check).
"""
import json
import os
import sys
import tempfile

import support
from support import with_json, write
from tap import check, finish

TFQKD = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def session(*args):
    return support.run(TFQKD, "session", *args)


with tempfile.TemporaryDirectory() as tmp:
    # --- an honest CAL19 session (the quickest example), text and report ----------------------------
    report_path = os.path.join(tmp, "report.json")
    r = session("--example", "cal19", "--pulses", "3e8", "--distance", "50", "--report", report_path)
    check("a CAL19 session exits 0 with equal keys", r.returncode == 0 and "keys              equal" in r.stdout,
          r.stdout[-800:] + r.stderr)
    check("the text names every stage",
          all(s in r.stdout for s in ("parameters", "quantum and reports", "sifting and estimation", "error correction",
                                      "verification and amplification")), r.stdout[:600])
    with open(report_path) as f:
        rep = json.load(f)
    check("the report says key, both parties done",
          rep["outcome"] == "key" and rep["alice"]["state"] == "done" and rep["bob"]["state"] == "done"
          and rep["charlie"]["state"] == "done", json.dumps(rep)[:400])
    alice_key, bob_key = rep["alice"].get("key", {}), rep["bob"].get("key", {})
    check("the key has exactly the certified length, at both ends",
          rep["key_bits"] > 0 and alice_key.get("length_bits") == rep["key_bits"] == bob_key.get("length_bits")
          == rep["certified"]["bits"], json.dumps(rep.get("certified")))
    check("both ends hold the same key (digests) and metadata",
          alice_key.get("sha256") == bob_key.get("sha256") and len(alice_key.get("sha256", "")) == 64
          and {k: v for k, v in alice_key.items()} == {k: v for k, v in bob_key.items()})
    check("the key's epsilon terms add up within the session's budget",
          0 < alice_key["epsilon"]["total"] <= rep["security"]["eps_total"] * 1.5, json.dumps(alice_key["epsilon"]))
    check("the certified length is at most the certified bound's lower end",
          rep["certified"]["bits"] <= rep["certified"]["length"]["lower"] + 1e-9)
    check("leakage counts Cascade's disclosed bits and the verification tag",
          alice_key["leaked_bits"] == rep["disclosed_bits"] + rep["extra_leaked_bits"] + 128, json.dumps(alice_key))
    check("the report's counts are the statistics certified (key effective = reconciled bits)",
          rep["counts"]["key"]["effective"] == rep["reconciled_bits"] and rep["counts"]["key"]["ec_leakage_bits"]
          == rep["disclosed_bits"] + rep["extra_leaked_bits"], json.dumps(rep["counts"]["key"]))
    check("the text and the report agree on the transcript digest", rep["transcript_sha256"] in r.stdout)

    # --- the same session over the stream transport: the same transcript and key ---------------------
    r2, rep2 = with_json(session("--example", "cal19", "--pulses", "3e8", "--distance", "50", "--transport", "stream",
                                 "--json"))
    check("the stream transport gives the same transcript and key",
          r2.returncode == 0 and rep2 and rep2["transcript_sha256"] == rep["transcript_sha256"]
          and rep2["alice"]["key"]["sha256"] == alice_key["sha256"] and rep2["transport"] == "stream",
          r2.stderr[-400:])
    r3, rep3 = with_json(session("--example", "cal19", "--pulses", "3e8", "--distance", "50", "--seed", "2", "--json"))
    check("another seed gives another transcript",
          r3.returncode == 0 and rep3 and rep3["transcript_sha256"] != rep["transcript_sha256"])

    # --- a session that cannot make a key aborts, exit 3, the reason named ----------------------------
    r, rep = with_json(session("--example", "cal19", "--pulses", "1e7", "--distance", "300", "--json"))
    check("a session without a key exits 3", r.returncode == 3, r.stderr[-300:])
    check("... and the report names the abort reason at both ends, with no key",
          rep and rep["outcome"] == "abort" and rep["alice"]["state"] == "aborted"
          and rep["alice"]["failure"]["reason"] == "no_key" and "key" not in rep["alice"] and "key" not in rep["bob"],
          json.dumps(rep)[:500] if rep else r.stdout[:300])

    # --- bad input: exit 2, the flag or file and what is accepted --------------------------------------
    def bad(name, args, *fragments):
        r = session(*args)
        check(name, r.returncode == 2 and all(f in r.stderr for f in fragments), r.stderr + r.stdout[:200])

    bad("an unknown example is named with the accepted ones", ["--example", "bb84"], "--example", "sns-aopp, pm, cal19")
    bad("pulses must be a whole number", ["--example", "cal19", "--pulses", "1.5"], "--pulses", "whole number")
    bad("an unknown transport", ["--example", "cal19", "--transport", "udp"], "--transport", "memory, stream")
    bad("a negative distance", ["--example", "cal19", "--distance", "-3"], "--distance")
    bad("a missing file", [os.path.join(tmp, "nope.json")], "nope.json", "cannot open")
    bad("observed counts are not a link", [os.path.join(DATA, "sns_observed.json")], "sns_observed.json", "link")
    mp = os.path.join(DATA, "mp_prediction.json")
    bad("mode pairing is not run as a session", [mp, "--pulses", "1e6"], "mp_prediction.json", "family")
    r = session("--example", "cal19", "--pulses", "1e7", "--report", os.path.join(tmp, "no-such-dir", "r.json"))
    check("an unwritable report exits 1 and names the file", r.returncode == 1 and "r.json" in r.stderr, r.stderr)

finish()
