#!/usr/bin/env python3
"""The mutation score of the live conformance suite: every mutant shim is caught.

Each mutant of protocol/mutants.hpp runs, as `tfqkd conformance --shim mutant-NAME`, against the
live tests that mutants.json says catch it; it is caught when one of them is graded fail. The
reference shim runs the same tests and must pass them all, so that a catch is the defect's doing and
not a flaky test. The mutant program with no mutant selected passes the honest sessions, refuses an
unknown name with exit status 2, and lists exactly the mutants of mutants.json.

Usage: run_mutants.py TFQKD MUTANT_SHIM WRAPPERS_DIR REFERENCE_SHIM MUTANTS_JSON
Prints TAP, then "mutation score: K of M (P %)"; fails unless K = M. Two sessions at a time.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

TFQKD, MUTANT_SHIM, WRAPPERS, REFERENCE, MUTANTS_JSON = sys.argv[1:6]

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "cli", "tests"))
from tap import check, finish  # noqa: E402

with open(MUTANTS_JSON) as f:
    MUTANTS = json.load(f)["mutants"]


def conformance(shim, tests, tmp, name):
    """Runs the live tests `tests` against `shim`; returns {id: (grade, detail)} and the output."""
    report = os.path.join(tmp, name + ".json")
    args = [TFQKD, "conformance", "--shim", shim, "--property-cases", "0", "--json", report]
    for t in tests:
        args += ["--only", t]
    t0 = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    r.seconds = time.monotonic() - t0
    grades = {}
    if os.path.exists(report):
        with open(report) as f:
            for t in json.load(f)["tests"]:
                grades[t["id"]] = (t["grade"], t.get("detail", ""))
    return grades, r


def summary(grades):
    return "; ".join(f"{i}: {g} ({d[:160]})" for i, (g, d) in sorted(grades.items()))


start = time.monotonic()

# The program and its wrappers.
listed = subprocess.run([MUTANT_SHIM, "--list"], capture_output=True, text=True, timeout=60)
names = [line.split("\t")[0] for line in listed.stdout.splitlines() if line]
check("the mutant program lists exactly the mutants of mutants.json",
      names == [m["name"] for m in MUTANTS], f"program: {names}\nmutants.json: {[m['name'] for m in MUTANTS]}")
check("every mutant has a caught_by list of live test ids", all(m["caught_by"] for m in MUTANTS))
wrappers = {m["name"]: os.path.join(WRAPPERS, "mutant-" + m["name"]) for m in MUTANTS}
missing = [w for w in wrappers.values() if not os.access(w, os.X_OK)]
check("every mutant has an executable wrapper", not missing, missing)
unknown = subprocess.run([MUTANT_SHIM, "--mutant=no-such-mutant", "--capabilities"], capture_output=True, text=True,
                         timeout=60)
check("an unknown mutant is refused (exit status 2), not run as the reference",
      unknown.returncode == 2 and "unknown mutant" in unknown.stderr, f"{unknown.returncode}: {unknown.stderr}")

with tempfile.TemporaryDirectory() as tmp:
    # The mutant program with no mutant selected plays the honest sessions as the reference does.
    none_shim = os.path.join(tmp, "mutant-none")
    with open(none_shim, "w") as f:
        f.write(f"#!/bin/sh\nexec '{MUTANT_SHIM}' --mutant=none \"$@\"\n")
    os.chmod(none_shim, 0o755)
    honest = ["live.alice.honest.sns-aopp", "live.bob.honest.sns-aopp", "live.charlie.honest.sns-aopp"]

    # The reference and every mutant, two sessions at a time.
    every_test = sorted({t for m in MUTANTS for t in m["caught_by"]})
    jobs = {"reference": (REFERENCE, every_test), "none": (none_shim, honest)}
    for m in MUTANTS:
        jobs[m["name"]] = (wrappers[m["name"]], m["caught_by"])
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {pool.submit(conformance, shim, tests, tmp, name): name for name, (shim, tests) in jobs.items()}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
    print("# seconds per run: " + ", ".join(f"{name} {results[name][1].seconds:.1f}" for name in jobs))

    grades, r = results["reference"]
    not_passed = {i: g for i, g in grades.items() if g[0] != "pass"}
    check("the reference shim passes every catching test", len(grades) == len(every_test) and not not_passed,
          f"ran {len(grades)} of {len(every_test)}; " + summary(not_passed) + "\n" + r.stderr[-1000:])
    grades, r = results["none"]
    check("the mutant program with no mutant selected passes the honest sessions",
          len(grades) == len(honest) and all(g[0] == "pass" for g in grades.values()), summary(grades) + r.stderr[-1000:])

    caught = 0
    for m in MUTANTS:
        grades, r = results[m["name"]]
        failed = sorted(i for i, (g, _) in grades.items() if g == "fail")
        ran_all = len(grades) == len(m["caught_by"])
        check(f"mutant {m['name']} is caught ({', '.join(failed) if failed else 'by no test'})",
              bool(failed) and ran_all,
              f"{m['defect']}\nran {len(grades)} of {len(m['caught_by'])} tests: {summary(grades)}\n{r.stderr[-1000:]}")
        caught += bool(failed)

total = len(MUTANTS)
print(f"# mutation score: {caught} of {total} ({100.0 * caught / total:.1f} %)")
print(f"# {time.monotonic() - start:.1f} s")
check("the mutation score is 100 %", caught == total)
finish()
