#!/usr/bin/env python3
"""`tfqkd conformance --shim`: the live sessions, as an evaluator running them sees them.

The reference shim passes every live test (exit status 0), the catalogue's ids are unique and each
names its requirement; the property tests run. Shims that misbehave as processes (crash, hang, flood
their output, exit early, write a bad outcome, put garbage on the wire, say "not implemented") get a
clear verdict with their stderr, within bounded time, and leave no process behind. Bad input is exit
status 2 with a message.

Usage: conformance_live_test.py PATH_TO_TFQKD REFERENCE_SHIM BAD_SHIM
Prints TAP.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from support import run
from tap import check, finish

TFQKD, REFERENCE, BAD = sys.argv[1:4]


def conformance(*args, env=None, timeout=600):
    return run(TFQKD, "conformance", *args, timeout=timeout, env=env)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose: only its parent's wait is missing.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


with tempfile.TemporaryDirectory() as tmp:
    listing = conformance("--list")
    ids = [line.split()[0] for line in listing.stdout.splitlines()]
    check("--list prints the live catalogue, ids unique", listing.returncode == 0 and len(ids) == len(set(ids)) > 50,
          listing.stdout[-500:])

    report_path = os.path.join(tmp, "live.json")
    start = time.monotonic()
    html_path = os.path.join(tmp, "live.html")
    r = conformance("--shim", REFERENCE, "--json", report_path, "--html", html_path, "--property-cases", "2")
    seconds = time.monotonic() - start
    print(f"# the whole live suite against the reference shim: {seconds:.1f} s")
    check("the reference shim passes every live test: exit status 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:])
    with open(report_path) as f:
        report = json.load(f)
    tests = report["tests"]
    got = [t["id"] for t in tests]
    check("the report holds every test of the catalogue", sorted(got) == sorted(ids), set(ids) ^ set(got))
    check("no test fails; only the allowed grades", report["summary"]["fail"] == 0 and
          all(t["grade"] in ("pass", "informational") for t in tests),
          [(t["id"], t["grade"], t["detail"]) for t in tests if t["grade"] != "pass"])
    check("every live test names its requirement in docs/",
          all(t["requirement"].startswith("docs/") for t in tests))
    honest = [t for t in tests if ".honest." in t["id"]]
    check("the honest sessions end with the reference peer's key",
          len(honest) == 3 and all(t["grade"] == "pass" for t in honest), honest)
    claims = [t for t in tests if ".claim." in t["id"]]
    check("the key-length claims equal tfqkd's certified bound",
          len(claims) == 2 and all(t["grade"] == "pass" and "= tfqkd's certified bound" in t["detail"] for t in claims),
          claims)
    check("the property tests ran for each role",
          [t["id"] for t in tests if t["id"].endswith(".property")] == ["live.alice.property", "live.bob.property",
                                                                        "live.charlie.property"])
    check("a live test's log holds the harness's trace", all("reference " in t.get("log", "") for t in honest))
    with open(html_path, encoding="utf-8") as f:
        page = f.read()
    check("the HTML report (rendered in Chromium by conformance_html_test.py) holds every live test and the verdict",
          "PASSED" in page and all(f'id="t-{i}"' in page for i in ids), [i for i in ids if f'id="t-{i}"' not in page][:5])
    check("the subject names the shim and its capabilities",
          "tfqkd reference shim" in report["subject"] and "plays alice, bob, charlie" in report["subject"], report["subject"])

    # Shims that misbehave as processes: one honest Alice test each.
    def bad(behaviour, *extra, timeout=120):
        env = dict(os.environ, TFQKD_BAD_SHIM=behaviour,
                   TFQKD_BAD_SHIM_PIDFILE=os.path.join(tmp, behaviour + ".pid"))
        out = os.path.join(tmp, behaviour + ".json")
        t0 = time.monotonic()
        r = conformance("--shim", BAD, "--only", "live.alice.honest.sns-aopp", "--json", out, *extra, env=env,
                        timeout=timeout)
        took = time.monotonic() - t0
        with open(out) as f:
            test = json.load(f)["tests"][0]
        return r, test, took

    r, t, _ = bad("crash")
    check("a crashing shim fails with its signal and its stderr",
          r.returncode == 1 and t["grade"] == "fail" and "SIGSEGV" in t["detail"] and "bad shim: behaviour crash" in t["log"],
          t)
    r, t, took = bad("hang", "--session-timeout", "6")
    check("a hanging shim is killed at the session's limit and fails", r.returncode == 1 and t["grade"] == "fail" and
          "did not end" in t["detail"] and took < 30, (t, took))
    r, t, took = bad("flood")
    check("a shim flooding its output is killed and fails", r.returncode == 1 and t["grade"] == "fail" and
          "bytes to its standard output and error" in t["detail"] and took < 30 and len(t["log"]) < 10000, (t["detail"], took))
    r, t, _ = bad("early-exit")
    check("a shim that exits without an outcome fails, saying so",
          r.returncode == 1 and t["grade"] == "fail" and "no outcome file" in t["detail"], t)
    r, t, _ = bad("bad-outcome")
    check("a shim whose outcome is not the contract's JSON fails, naming the field",
          r.returncode == 1 and t["grade"] == "fail" and "state" in t["detail"] and "accepted: done, aborted" in t["detail"], t)
    r, t, _ = bad("garbage", "--session-timeout", "20")
    check("a shim that writes bytes that are not frames fails", r.returncode == 1 and t["grade"] == "fail" and
          "not a frame" in t["detail"], t)
    r, t, _ = bad("not-implemented")
    check("a role the shim does not play is not_implemented, and the run passes",
          r.returncode == 0 and t["grade"] == "not_implemented", t)
    r, t, _ = bad("child", "--session-timeout", "6")
    with open(os.path.join(tmp, "child.pid")) as f:
        child = int(f.read())
    time.sleep(0.2)
    check("a shim's child process does not outlive the test", t["grade"] == "fail" and not alive(child), (t["detail"], child))

    # A shim that outputs a key where it must abort: the property test fails, and RapidCheck shrinks the
    # failing case to the smallest one (the first fault of the catalogue, the first frame, the first
    # seed), reported with its log.
    env = dict(os.environ, TFQKD_BAD_SHIM="claims-key", TFQKD_REFERENCE_SHIM=REFERENCE)
    out = os.path.join(tmp, "claims-key.json")
    r = conformance("--shim", BAD, "--only", "live.alice.property", "--property-cases", "6", "--json", out, env=env)
    with open(out) as f:
        t = json.load(f)["tests"][0]
    check("a property failure is shrunk to the minimal case",
          r.returncode == 1 and t["grade"] == "fail" and "minimal failing case after shrinking" in t["detail"] and
          "live.alice.network.tamper-payload (fault tamper-payload on sifting_announcement #1, seed 1)" in t["detail"] and
          "the shim output a key" in t["detail"] and "reference bob" in t["log"], t)

    # Bad input.
    r = conformance()
    check("neither --library nor --shim: exit status 2", r.returncode == 2 and "--shim PATH" in r.stderr, r.stderr)
    r = conformance("--shim", os.path.join(tmp, "no-such-shim"))
    check("a shim that is not an executable file: exit status 2 naming it",
          r.returncode == 2 and "no-such-shim: not an executable file" in r.stderr, r.stderr)
    r = conformance("--shim", REFERENCE, "--session-timeout", "0.5")
    check("--session-timeout out of range: exit status 2", r.returncode == 2 and "--session-timeout" in r.stderr, r.stderr)
    r = conformance("--shim", REFERENCE, "--property-cases", "2.5")
    check("--property-cases not whole: exit status 2", r.returncode == 2 and "--property-cases" in r.stderr, r.stderr)

finish()
