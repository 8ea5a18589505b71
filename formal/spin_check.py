#!/usr/bin/env python3
"""Model-checks formal/tfqkd.pml with SPIN (docs/formal.md).

    spin_check.py MODEL TABLE_PML verify NAME     one configuration of formal/configurations.json
    spin_check.py MODEL TABLE_PML mutants [EXE]   every mutant must be caught, by the expected property;
                                                  with formal_replay, its counterexample is replayed
                                                  on the code
    spin_check.py MODEL TABLE_PML witness         the properties are not vacuous: keys do get output
    spin_check.py MODEL TABLE_PML trail MUTANT    prints the counterexample of one mutant, as events
    spin_check.py MODEL TABLE_PML replay EXE      replays model runs against the C++ parties (EXE is
                                                  formal_replay): random runs of the model must match
                                                  the code state by state

Each run copies the model and the generated table into a fresh directory, has SPIN write the verifier
(pan.c), compiles it and runs it. The output is TAP: one line per check, with the states explored,
the depth and the time, so that CI logs say what was proved within which bounds.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CONFIGURATIONS = os.path.join(HERE, "configurations.json")

# What each kind of violation looks like in pan's output, by property (docs/formal.md names them).
# An assertion is recognised by its expression, which pan prints after the C preprocessor ran.
PROPERTY_PATTERNS = [
    ("P1", re.compile(r"verified\[\d\]&&")),
    ("P2", re.compile(r"key_val\[0\]==key_val\[1\]")),
    ("P3", re.compile(r">>11\)&1\)\)\)\|\|\(st\[")),
    ("P4", re.compile(r"kused_|spos\[\(c/2\)\]<psize|spos\[\(sc/2\)\]<psize")),
    ("P5", re.compile(r"invalid end state|acceptance cycle")),
    ("table", re.compile(r"tbl\[")),
]


def classify(text):
    """The property a pan run or a trail replay reports as violated, or None."""
    for line in text.splitlines():
        if line.startswith("pan:") and ("assertion violated" in line or "invalid end state" in line
                                        or "acceptance cycle" in line):
            for name, pattern in PROPERTY_PATTERNS:
                if pattern.search(line):
                    return name
            return "other: " + line.strip()
    return None


def load_configurations():
    with open(CONFIGURATIONS) as f:
        return json.load(f)


class Run:
    """One verifier: the model with some -D flags, compiled, in its own directory."""

    def __init__(self, model, table, defines, liveness=False):
        self.dir = tempfile.mkdtemp(prefix="tfqkd-spin-")
        shutil.copy(model, os.path.join(self.dir, "tfqkd.pml"))
        shutil.copy(table, os.path.join(self.dir, "table.pml"))
        self.defines = list(defines) + (["-DLIVENESS"] if liveness else [])
        self.liveness = liveness

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, cmd, timeout):
        return subprocess.run(cmd, cwd=self.dir, capture_output=True, text=True, timeout=timeout)

    def build(self):
        r = self._run(["spin", "-a"] + self.defines + ["tfqkd.pml"], 120)
        if r.returncode != 0 or not os.path.exists(os.path.join(self.dir, "pan.c")):
            raise RuntimeError("spin -a failed:\n" + r.stdout + r.stderr)
        # -O0: the verifier's C is large and -O2 takes minutes to compile for a run of seconds.
        # COLLAPSE compresses the stored states (several times less memory for some more time).
        cflags = ["-O0", "-w", "-DCOLLAPSE", "-DMEMLIM=8192"]
        if not self.liveness:
            cflags += ["-DSAFETY", "-DNOCLAIM"]
        r = self._run(["cc"] + cflags + ["-o", "pan", "pan.c"], 300)
        if r.returncode != 0:
            raise RuntimeError("compiling pan failed:\n" + r.stderr[-4000:])

    def verify(self, timeout=1200):
        flags = ["-m1000000"]
        flags += ["-a", "-f"] if self.liveness else []
        start = time.monotonic()
        r = self._run(["./pan"] + flags, timeout)
        elapsed = time.monotonic() - start
        return r.stdout + r.stderr, elapsed

    def trail(self):
        """The counterexample pan wrote, replayed by SPIN with the model's own printouts."""
        r = self._run(["spin", "-t"] + self.defines + ["tfqkd.pml"], 120)
        return r.stdout + r.stderr


def stats(output):
    def grab(pattern, cast=int, default=None):
        m = re.search(pattern, output)
        return cast(m.group(1)) if m else default

    return {
        "states": grab(r"(\d+) states, stored"),
        "depth": grab(r"depth reached (\d+)"),
        "errors": grab(r"errors: (\d+)"),
        "memory_mb": grab(r"([\d.]+)\s+total actual memory usage", float),
        "complete": "Search not completed" not in output,
    }


def command_verify(model, table, name, tap):
    config = load_configurations()["configurations"][name]
    defines = ["-D%s=%s" % (k, v) for k, v in config["bounds"].items()]
    with Run(model, table, defines, liveness=config.get("liveness", False)) as run:
        run.build()
        output, elapsed = run.verify()
        s = stats(output)
        violated = classify(output)
        tap.check(
            "%s: %s within %s, no violation (%s states, depth %s, %.1f s, %.0f MB)"
            % (name, config["checks"], ", ".join("%s=%s" % kv for kv in config["bounds"].items()),
               s["states"], s["depth"], elapsed, s["memory_mb"] or 0),
            s["errors"] == 0 and s["complete"] and violated is None,
            output[-3000:] + ("\n" + run.trail() if s["errors"] else ""))


def command_mutants(model, table, tap, replay_exe=None):
    configs = load_configurations()
    caught = 0
    mutants = configs["mutants"]
    for mutant in mutants:
        base = configs["configurations"][mutant["configuration"]]
        defines = ["-D%s=%s" % (k, v) for k, v in base["bounds"].items()] + ["-D" + mutant["flag"]]
        with Run(model, table, defines, liveness=base.get("liveness", False)) as run:
            run.build()
            output, elapsed = run.verify()
            s = stats(output)
            violated = classify(output)
            ok = bool(s["errors"]) and violated in mutant["expect"]
            caught += ok
            tap.check("mutant %s (%s) is caught: %s violated (%.1f s)"
                      % (mutant["flag"], mutant["defect"], violated, elapsed), ok, output[-2000:])
            # The counterexample, when the adversary is part of it, replayed on the code: the same
            # attack must end there as P1-P3 demand (docs/formal.md 5).
            printout = run.trail()
        if replay_exe and "ADV " in printout:
            result = replay_printout(replay_exe, table, printout)
            tap.check("%s's counterexample (%s) replayed on the code: alice %s, bob %s, P1-P3 hold%s"
                      % (mutant["flag"], ", ".join(result["actions"]), result["code"]["alice"]["state"],
                         result["code"]["bob"]["state"],
                         " (the code sent no frame for %d action)" % result["unused_actions"]
                         if result["unused_actions"] else ""),
                      not result["property_problems"], "\n".join(result["property_problems"]))
    score = caught / len(mutants)
    print("# mutation score: %d of %d model mutants caught (%.0f %%)" % (caught, len(mutants), 100 * score))
    tap.check("mutation score is 100 %% (%d of %d)" % (caught, len(mutants)), caught == len(mutants))


def command_witness(model, table, tap):
    """Non-vacuity: in the safety bounds, runs exist where both parties output a key (for each
    protocol family), and where the adversary's action still leaves both with equal keys."""
    configs = load_configurations()
    base = configs["configurations"]["safety"]
    for witness in configs["witnesses"]:
        defines = ["-D%s=%s" % (k, v) for k, v in base["bounds"].items()] + ["-D" + witness["flag"]]
        with Run(model, table, defines) as run:
            run.build()
            output, elapsed = run.verify()
            s = stats(output)
            tap.check("witness %s: %s" % (witness["flag"], witness["claim"]), bool(s["errors"]), output[-2000:])


def command_trail(model, table, flag):
    configs = load_configurations()
    mutant = next(m for m in configs["mutants"] if m["flag"] == flag)
    base = configs["configurations"][mutant["configuration"]]
    defines = ["-D%s=%s" % (k, v) for k, v in base["bounds"].items()] + ["-D" + flag]
    with Run(model, table, defines, liveness=base.get("liveness", False)) as run:
        run.build()
        run.verify()
        for line in run.trail().splitlines():
            line = line.strip()
            if line.split(" ")[0] in ("STEP", "ABORT", "ADV", "KEY", "CHOICE"):
                print(line)

# ---- Traces replayed on the code -------------------------------------------------------------------
def replay_printout(exe, table, printout):
    """formal_replay's verdict (JSON) on one run of the model, given as SPIN printed it."""
    work = tempfile.mkdtemp(prefix="tfqkd-replay-")
    try:
        path = os.path.join(work, "run.txt")
        with open(path, "w") as f:
            f.write(printout)
        r = subprocess.run([exe, table, path], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("formal_replay failed: " + r.stderr)
        return json.loads(r.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def command_replay(model, table, exe, tap, runs=22):
    """Runs of the correct model in its REPLAY bounds (the numbers always certify; one report; one
    Cascade round, since the code's several queries of a round are one in the model; the in-memory
    transport's order; one adversary action the code can be given), replayed state by state."""
    defines = ["-DREPLAY", "-DBLOCKS=1", "-DREPORTS=1", "-DROUNDS=1", "-DPOOL=16", "-DBUDGET=1"]
    work = tempfile.mkdtemp(prefix="tfqkd-sim-")
    try:
        shutil.copy(model, os.path.join(work, "tfqkd.pml"))
        shutil.copy(table, os.path.join(work, "table.pml"))
        kinds = set()
        for seed in range(1, runs + 1):
            # Run k acts on frame k - 1 in sending order with action (k - 1) mod 5: the runs cover the
            # flow and every kind of action; the last ones fall past the flow's end (honest runs).
            r = subprocess.run(["spin", "-n%d" % seed, "-u100000", "-DREPLAY_TARGET=%d" % (seed - 1),
                                "-DREPLAY_ACTION=%d" % ((seed - 1) % 5)] + defines + ["tfqkd.pml"],
                               cwd=work, capture_output=True, text=True, timeout=300)
            result = replay_printout(exe, table, r.stdout)
            kinds.update(a.split()[0] for a in result["actions"])
            problems = result["differences"] + result["property_problems"]
            tap.check("model run %d (%s, %s) replayed on the code: the same states entered"
                      % (seed, result["protocol"], ", ".join(result["actions"]) or "no attack"),
                      not problems, "\n".join(problems + [r.stdout[-1500:]]))
        tap.check("the replayed runs exercise dropping, changing, repeating, reordering and injecting (%s)"
                  % ", ".join(sorted(kinds)), {"drop", "modify", "duplicate", "hold", "inject"} <= kinds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    import tap
    if len(argv) < 4:
        print(__doc__)
        return 2
    model, table, command = argv[1], argv[2], argv[3]
    if command == "verify":
        command_verify(model, table, argv[4], tap)
    elif command == "mutants":
        command_mutants(model, table, tap, argv[4] if len(argv) > 4 else None)
    elif command == "witness":
        command_witness(model, table, tap)
    elif command == "replay":
        command_replay(model, table, argv[4], tap)
    elif command == "trail":
        command_trail(model, table, argv[4])
        return 0
    else:
        print(__doc__)
        return 2
    tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
