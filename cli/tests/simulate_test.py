#!/usr/bin/env python3
"""End-to-end tests of `tfqkd simulate` and of `tfqkd keyrate` on hardware scenarios: chip profiles
to a link, sampled statistics that keyrate certifies, the simulator's ground truth against the
certified bounds, both fidelities, phase blocks, and the errors a person sees for bad input.

Usage: simulate_test.py PATH_TO_TFQKD
Prints TAP (one "ok N - name" line per check).
"""
import copy
import csv
import json
import os
import subprocess
import sys
import tempfile

import support
from support import load, with_json, write
from tap import check, finish

TFQKD = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
PAIR = os.path.join(DATA, "pku_pair.json")


def run(command, *args):
    return support.run(TFQKD, command, *args)


def simulate(*args):
    return with_json(run("simulate", *args))


def certify(path, *args):
    return with_json(run("keyrate", path, "--json", *args))


with tempfile.TemporaryDirectory() as tmp:
    pair = load(PAIR)

    # --- aggregated fidelity, certified by keyrate ------------------------------------------------------
    r, sim = simulate(PAIR)
    check("simulate exits 0 with a statistics document",
          r.returncode == 0 and sim and {"protocol", "security", "counts", "reference_link", "simulation"} <= set(sim),
          r.stderr + r.stdout[:300])
    counts = (sim or {}).get("counts", {})
    check("every count is a whole number within its windows",
          all(float(c[k]).is_integer() and 0 <= c[k] <= c["sent"] for c in counts.get("classes", [])
              for k in ("left", "right", "both")) and counts.get("classes"))
    truth = (sim or {}).get("simulation", {}).get("ground_truth", {})
    check("the ground truth names the untagged bits and their phase errors",
          {"untagged_alice", "untagged_bob", "phase_errors", "phase_error_rate"} <= set(truth), json.dumps(truth))
    sim_path = write(os.path.join(tmp, "sim.json"), sim or {})
    r, cert = certify(sim_path)
    check("keyrate certifies the simulated statistics of a PKU pair at 370 km",
          r.returncode == 0 and cert and cert["key_length_bits"] > 0 and cert["input"] == "certification", r.stderr)
    check("... above PLOB, as the PKU network reports for every pair",
          cert and cert.get("ratio_to_plob") and cert["ratio_to_plob"] > 1, json.dumps(cert)[:300] if cert else "")
    if cert and truth:
        b = cert["breakdown"]
        untagged = truth["untagged_alice"] + truth["untagged_bob"]
        check("the certified untagged bits stay below the simulator's true count",
              b["untagged_lower"]["upper"] <= untagged, f'{b["untagged_lower"]} vs {untagged}')
        check("the certified phase-error rate stays above the simulator's true rate",
              b["phase_error_rate_upper"]["lower"] >= truth["phase_error_rate"],
              f'{b["phase_error_rate_upper"]} vs {truth["phase_error_rate"]}')
    r_pred, pred = certify(PAIR)
    check("keyrate predicts the same hardware scenario within 2 % of the certified simulation",
          r_pred.returncode == 0 and pred and cert and abs(pred["key_length_bits"] - cert["key_length_bits"])
          < 0.02 * pred["key_length_bits"], r_pred.stderr)
    r_sweep = run("keyrate", PAIR, "--sweep", "200:400:100", "--csv")
    check("keyrate sweeps a hardware scenario with equal arms (half the fibre each)",
          r_sweep.returncode == 0 and len(r_sweep.stdout.strip().splitlines()) == 4, r_sweep.stderr + r_sweep.stdout)

    # --- reproducibility --------------------------------------------------------------------------------
    r1, again = simulate(PAIR)
    r2, other = simulate(PAIR, "--seed", "2")
    check("the same seed reproduces the statistics exactly", sim and again and again == sim)
    check("another seed gives other statistics", sim and other and other["counts"] != sim["counts"]
          and other["simulation"]["seed"] == 2)
    r3, small = simulate(PAIR, "--pulses", "1e9")
    check("--pulses sets N", r3.returncode == 0 and small and small["protocol"]["pulses"] == 1000000000, r3.stderr)

    # --- events fidelity --------------------------------------------------------------------------------
    events_csv = os.path.join(tmp, "events.csv")
    r, ev = simulate(PAIR, "--fidelity", "events", "--pulses", "1e10", "--events-out", events_csv)
    check("the events fidelity exits 0 and counts its heralds", r.returncode == 0 and ev
          and ev["simulation"]["heralded_events"] > 0, r.stderr)
    rows = []
    if os.path.exists(events_csv):
        with open(events_csv) as f:
            rows = list(csv.DictReader(f))
    check("the events file has one row per heralded slot", ev and len(rows) == ev["simulation"]["heralded_events"],
          f"{len(rows)} rows")
    slots = [int(row["slot"]) for row in rows]
    check("slots increase strictly and stay below N", slots == sorted(set(slots)) and (not slots or slots[-1] < 1e10))
    check("untagged events are one-sided single photons",
          all((row["alice_photons"], row["bob_photons"]) in (("1", "0"), ("0", "1")) for row in rows if row["untagged"] == "1")
          and any(row["untagged"] == "1" for row in rows))
    if ev:
        r, cert_ev = certify(write(os.path.join(tmp, "ev.json"), ev))
        check("keyrate reads the events fidelity's statistics", r.returncode == 0 and cert_ev is not None, r.stderr)

    # --- every shipped profile simulates, in both fidelities ---------------------------------------------
    for alice, bob, server, line in (("tfln_transmitter", "tfln_transmitter", "pku_server", 1),
                                     ("bench_discrete", "bench_discrete", "bench_discrete", 0)):
        d = copy.deepcopy(pair)
        d["hardware"].update({"alice": alice, "bob": bob, "server": server, "comb_line": line,
                              "fibre": {"alice_km": 100, "bob_km": 100}})
        d["hardware"].pop("alice_chip")
        d["hardware"].pop("bob_chip")
        path = write(os.path.join(tmp, f"{alice}_{server}.json"), d)
        for fidelity in ("aggregated", "events"):
            r, out = simulate(path, "--fidelity", fidelity, "--pulses", "1e11")
            ok = r.returncode == 0 and out is not None
            r2, cert = certify(write(os.path.join(tmp, "combo_sim.json"), out)) if ok else (r, None)
            check(f"{alice} chips with the {server} server at 200 km simulate ({fidelity}) to a certified key",
                  ok and r2.returncode == 0 and cert and cert["key_length_bits"] > 0, r.stderr + r2.stderr)

    # --- piecewise-stationary phase ---------------------------------------------------------------------
    blocked = copy.deepcopy(pair)
    blocked["hardware"]["block_seconds"] = 1.0
    r, bl = simulate(write(os.path.join(tmp, "blocks.json"), blocked))
    blocks = (bl or {}).get("simulation", {}).get("blocks", {})
    check("phase blocks cut the session by the clock (10^13 pulses at 1 GHz in 1 s blocks: 10^4)",
          r.returncode == 0 and blocks.get("count") == 10000, r.stderr + json.dumps(blocks))
    check("... and their residual phase varies from block to block",
          blocks and blocks["residual_phase_rad"]["min"] < blocks["residual_phase_rad"]["max"])
    check("... while the windows still add up to the classes of N pulses",
          bl and sim and [c["sent"] for c in bl["counts"]["classes"]] != [] and
          abs(sum(c["sent"] for c in bl["counts"]["classes"]) - sum(c["sent"] for c in sim["counts"]["classes"]))
          < 1e-3 * sum(c["sent"] for c in sim["counts"]["classes"]))

    # --- bad input ----------------------------------------------------------------------------------------
    def bad(name, document, field, *args, command="simulate"):
        path = write(os.path.join(tmp, name + ".json"), document)
        r = run(command, path, *args)
        check(f"bad input ({name}): exit 2, the file and {field} named",
              r.returncode == 2 and r.stderr.startswith("tfqkd: " + path + ": ") and field in r.stderr
              and "Traceback" not in r.stderr and r.stdout == "", f"{r.returncode}: {r.stderr}")
        return r.stderr

    d = copy.deepcopy(pair)
    d["hardware"]["alice"] = "no_such_chip"
    msg = bad("unknown_profile", d, "hardware.alice")
    check("... says where shipped profiles were looked for", "looked in" in msg, msg)

    with open(os.path.join(os.path.dirname(DATA), "..", "..", "hardware_model", "profiles", "pku_server.json")) as f:
        server = json.load(f)
    server["detectors"]["efficiency"]["value"] = 1.3
    write(os.path.join(tmp, "hot_server.json"), server)
    d = copy.deepcopy(pair)
    d["hardware"]["server"] = "hot_server.json"  # relative to the scenario's directory
    msg = bad("bad_profile", d, "hardware.server")
    check("... a bad profile names its file and field", "hot_server.json" in msg and "detectors.efficiency" in msg, msg)

    d = copy.deepcopy(pair)
    d["hardware"]["fibre"]["alice_km"] = -1
    bad("negative_fibre", d, "hardware.fibre.alice_km")
    d = copy.deepcopy(pair)
    d["hardware"]["fibre"]["alice_kms"] = 3
    msg = bad("misspelt_fibre", d, "hardware.fibre.alice_kms")
    check("... a misspelt field suggests the right one", "did you mean alice_km" in msg, msg)
    bad("bad_fidelity", pair, "--fidelity", "--fidelity", "photons")
    bad("events_out_without_events", pair, "--events-out", "--events-out", os.path.join(tmp, "x.csv"))
    bad("bad_seed", pair, "--seed", "--seed", "-3")
    d = copy.deepcopy(pair)
    d["protocol"]["aopp"] = True
    d["hardware"]["block_seconds"] = 1.0
    bad("aopp_with_blocks", d, "hardware.block_seconds")
    d = copy.deepcopy(pair)
    d["protocol"]["aopp"] = True
    bad("aopp_events", d, "--fidelity events", "--fidelity", "events")
    d = load(os.path.join(DATA, "sns_prediction.json"))
    msg = bad("not_hardware", d, "hardware scenario")
    d = copy.deepcopy(pair)
    d["hardware"]["fibre"]["bob_km"] = 100
    bad("sweep_unequal_arms", d, "--sweep", "--sweep", "0:100:50", command="keyrate")

finish()
