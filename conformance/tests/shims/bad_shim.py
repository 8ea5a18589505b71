#!/usr/bin/env python3
"""A shim that misbehaves as a process, for the harness's own tests (conformance/tests/live_test.py).

The behaviour comes from the environment variable TFQKD_BAD_SHIM (the harness passes its environment
on): crash, hang, flood, early-exit, not-implemented, child (leaves a child process running in its
group and writes the child's pid to TFQKD_BAD_SHIM_PIDFILE), garbage (writes bytes that are not a
frame, then waits), bad-outcome (writes an outcome file that is not the contract's JSON),
claims-key (runs the reference shim named by TFQKD_REFERENCE_SHIM, then reports a key whenever it
aborted: a protocol defect that only the fault tests see, for the shrinking of the property tests).
With --capabilities it answers like a shim that plays every role, except under not-implemented.
"""
import os
import json
import signal
import subprocess
import sys
import time

behaviour = os.environ.get("TFQKD_BAD_SHIM", "")
args = sys.argv[1:]

if "--capabilities" in args:
    if behaviour == "not-implemented":
        print('{"format": "tfqkd-shim-capabilities/1", "roles": [], "families": []}')
    else:
        print('{"format": "tfqkd-shim-capabilities/1", "implementation": "bad shim (' + behaviour +
              ')", "roles": ["alice", "bob", "charlie"], "families": ["sns-aopp"]}')
    sys.exit(0)


def flag(name):
    return args[args.index(name) + 1] if name in args else None


fd = int(flag("--fd") or -1)
outcome = flag("--outcome")
sys.stderr.write("bad shim: behaviour " + behaviour + "\n")
sys.stderr.flush()

if behaviour == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
elif behaviour == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)
elif behaviour == "flood":
    chunk = "flood " * 10000 + "\n"
    while True:
        sys.stderr.write(chunk)
elif behaviour == "early-exit":
    sys.exit(0)
elif behaviour == "not-implemented":
    sys.exit(89)
elif behaviour == "child":
    pid = os.fork()
    if pid == 0:
        time.sleep(1000)
        os._exit(0)
    with open(os.environ["TFQKD_BAD_SHIM_PIDFILE"], "w") as f:
        f.write(str(pid))
    while True:
        time.sleep(1)
elif behaviour == "garbage":
    os.write(fd, b"GET / HTTP/1.1\r\nHost: relay\r\n\r\n" * 2)
    time.sleep(1000)
elif behaviour == "claims-key":
    code = subprocess.run([os.environ["TFQKD_REFERENCE_SHIM"], *args], pass_fds=(fd,)).returncode
    with open(outcome) as f:
        result = json.load(f)
    if result["state"] == "aborted" and result["role"] != "charlie":
        result = {"format": result["format"], "role": result["role"], "state": "done",
                  "key": {"bits": 8, "sha256": "00" * 32, "session_id": 0, "block_id": 1, "pool_bits": 0,
                          "reconciled_bits": 8, "leaked_bits": 0}}
        with open(outcome, "w") as f:
            json.dump(result, f)
    sys.exit(code)
elif behaviour == "bad-outcome":
    with open(outcome, "w") as f:
        f.write('{"format": "tfqkd-shim-outcome/1", "role": "alice", "state": "finished"}')
    sys.exit(0)
sys.exit(3)
