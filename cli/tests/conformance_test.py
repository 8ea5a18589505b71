#!/usr/bin/env python3
"""`tfqkd conformance --library`: what an evaluator running it sees.

The reference library passes with exit status 0; every mutant library is caught (exit status 1, a
failed test in the expected group); a crashing library fails only its tests, with the signal; the
JSON report and the JUnit XML hold every test; disabled tests are reported with their reason; bad
input (no library, a malformed disabled-tests file, an unknown id) is exit status 2 with a message
naming the file.

The differential fuzz target, replaying its corpus, agrees with the reference library and stops
on the first disagreement with a mutant.

Usage: conformance_test.py PATH_TO_TFQKD REFERENCE_LIBRARY MUTANTS_DIR FUZZ_DIFFERENTIAL CORPUS
Prints TAP.
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from support import run, write
from tap import check, finish

TFQKD, REFERENCE, MUTANTS, DIFFERENTIAL, CORPUS = sys.argv[1:6]

# Each mutant and the group where it must be caught.
MUTANTS_CAUGHT = {
    "accepts_truncated": "wire.",
    "skips_range_check": "wire.",
    "accepts_trailing_data": "wire.",
    "hash_wrong_polynomial": "primitive.verification_hash",
    "toeplitz_seed_reversed": "primitive.toeplitz",
    "key_length_overclaim": "primitive.key_length",
    "crashes": "wire.abort",
}


def mutant(name):
    return os.path.join(MUTANTS, f"libtfqkd_conformance_mutant_{name}.so")


def conformance(*args):
    return run(TFQKD, "conformance", *args, timeout=120)


with tempfile.TemporaryDirectory() as tmp:
    report_path = os.path.join(tmp, "report.json")
    junit_path = os.path.join(tmp, "report.xml")
    r = conformance("--library", REFERENCE, "--json", report_path, "--junit", junit_path)
    check("the reference library passes: exit status 0", r.returncode == 0, r.stdout[-2000:] + r.stderr)
    check("the summary line counts the tests", " tests in " in r.stdout and " 0 fail," in r.stdout, r.stdout[-400:])
    with open(report_path) as f:
        report = json.load(f)
    tests = report["tests"]
    check("the JSON report holds every test, all passed",
          report["passed"] and report["summary"]["total"] == len(tests) > 380
          and report["summary"]["pass"] == len(tests), report["summary"])
    ids = [t["id"] for t in tests]
    check("test ids are unique", len(ids) == len(set(ids)))
    check("every test names its requirement", all(t["requirement"].startswith("docs/") for t in tests))
    groups = {t["group"] for t in tests}
    check("codec and primitive groups are present",
          {"wire.frame", "wire.abort", "wire.detection_report", "primitive.verification_hash", "primitive.toeplitz",
           "primitive.key_length"} <= groups, sorted(groups))
    truncated = [t for t in tests if "Truncated" in t["flags"]]
    check("truncation vectors cite WF-ENC-5", truncated and all("WF-ENC-5" in t["requirement"] for t in truncated))

    junit = ET.parse(junit_path).getroot()
    cases = junit.findall("./testsuite/testcase")
    check("the JUnit XML parses and has one testcase per test, one suite per group",
          len(cases) == len(tests) and len(junit.findall("./testsuite")) == len(groups), f"{len(cases)} {len(tests)}")

    r = conformance("--library", REFERENCE, "--json", "-")
    check("--json - writes the report to standard output, the summary to standard error",
          r.returncode == 0 and json.loads(r.stdout)["passed"] and " tests in " in r.stderr, r.stderr[-400:])

    for name, group in MUTANTS_CAUGHT.items():
        out = os.path.join(tmp, f"{name}.json")
        r = conformance("--library", mutant(name), "--json", out)
        with open(out) as f:
            failed = [t for t in json.load(f)["tests"] if t["grade"] == "fail"]
        check(f"mutant {name} is caught: exit status 1, failures in {group}",
              r.returncode == 1 and failed and all(t["group"].startswith(group) for t in failed),
              r.stdout[-1500:] + r.stderr)
        check(f"mutant {name}: the failures are printed", "fail  " + failed[0]["id"] + "  " in r.stdout if failed else False,
              r.stdout[-800:])

    r = conformance("--library", mutant("crashes"))
    check("a crashing library is reported with its signal", "crashed with signal 11 (SIGSEGV)" in r.stdout, r.stdout[-600:])

    r = conformance("--library", mutant("hangs"), "--timeout", "0.3")
    check("a hanging call is killed at --timeout and fails its test",
          r.returncode == 1 and "fail  wire.frame.11  " in r.stdout and "no answer within the time limit" in r.stdout,
          r.stdout[-600:])

    r = conformance("--library", mutant("partial"))
    check("missing capabilities are not implemented, not failed: exit status 0",
          r.returncode == 0 and "not_implemented  primitive.toeplitz.1  " in r.stdout, r.stdout[-600:] + r.stderr)

    disable = write(os.path.join(tmp, "disabled.json"), {"disabled": [
        {"id": "wire.frame.11", "reason": "hangs on an empty frame (vendor ticket 42)"}]})
    out = os.path.join(tmp, "disabled-report.json")
    r = conformance("--library", mutant("hangs"), "--disable", disable, "--json", out)
    with open(out) as f:
        entry = [t for t in json.load(f)["tests"] if t["id"] == "wire.frame.11"][0]
    check("a disabled test does not run and carries its reason",
          r.returncode == 0 and entry["grade"] == "disabled" and "vendor ticket 42" in entry["detail"], r.stdout[-600:])

    # Bad input: exit status 2, a message naming the file and what is accepted.
    r = conformance("--library", os.path.join(tmp, "missing.so"))
    check("a library that cannot be loaded: exit status 2 naming it",
          r.returncode == 2 and "missing.so: cannot be loaded" in r.stderr, r.stderr)
    r = conformance("--library", "libm.so.6")
    check("a library without the ABI: exit status 2", r.returncode == 2 and "tfqkd_abi_version" in r.stderr, r.stderr)
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"disabled": [{"id": "wire.frame.11"}]}')
    r = conformance("--library", REFERENCE, "--disable", bad)
    check("a disabled test without a reason: exit status 2 naming the entry",
          r.returncode == 2 and "bad.json: disabled[0].reason" in r.stderr and "accepted:" in r.stderr, r.stderr)
    unknown = write(os.path.join(tmp, "unknown.json"), {"disabled": [{"id": "wire.fraem.11", "reason": "typo"}]})
    r = conformance("--library", REFERENCE, "--disable", unknown)
    check("a disabled id that matches no test: exit status 2", r.returncode == 2 and "wire.fraem.11" in r.stderr, r.stderr)
    r = conformance("--library", REFERENCE, "--timeout", "5s")
    check("a timeout that is not a number: exit status 2", r.returncode == 2 and '--timeout "5s"' in r.stderr, r.stderr)
    r = conformance()
    check("no --library nor --shim: exit status 2 saying one is required", r.returncode == 2 and "--library PATH or --shim PATH is required" in r.stderr,
          r.stderr)
    r = conformance("--library", REFERENCE, "--json", os.path.join(tmp, "no", "such", "dir.json"))
    check("an unwritable report: exit status 2", r.returncode == 2 and "cannot be written" in r.stderr, r.stderr)

# fuzz_differential: a replay of its corpus (GCC builds link the replay main; a libFuzzer build
# takes the same arguments and runs each input once).
env = dict(os.environ, TFQKD_DIFFERENTIAL_LIBRARY=REFERENCE)
r = subprocess.run([DIFFERENTIAL, CORPUS], capture_output=True, text=True, timeout=120, env=env)
check("fuzz_differential agrees with the reference library on its whole corpus", r.returncode == 0, r.stderr[-600:])
for name, why in (("accepts_truncated", "the verdicts differ"), ("skips_range_check", "the verdicts differ")):
    env = dict(os.environ, TFQKD_DIFFERENTIAL_LIBRARY=mutant(name))
    r = subprocess.run([DIFFERENTIAL, CORPUS], capture_output=True, text=True, timeout=120, env=env)
    check(f"fuzz_differential stops on mutant {name}: {why}", r.returncode != 0 and why in r.stderr, r.stderr[-600:])
env = dict(os.environ, TFQKD_DIFFERENTIAL_LIBRARY=os.path.join(MUTANTS, "missing.so"))
r = subprocess.run([DIFFERENTIAL, CORPUS], capture_output=True, text=True, timeout=120, env=env)
check("fuzz_differential names a library it cannot load", r.returncode != 0 and "missing.so: cannot be loaded" in r.stderr,
      r.stderr[-600:])

finish()
