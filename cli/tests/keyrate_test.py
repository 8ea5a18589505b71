#!/usr/bin/env python3
"""End-to-end tests of `tfqkd keyrate`: predictions, certifications, the output formats, the plot and
the errors a person sees for bad input.

Usage: keyrate_test.py PATH_TO_TFQKD
Prints TAP (one "ok N - name" line per check), which Meson counts check by check.
"""
import copy
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import support
from support import load, with_json, write
from tap import check, finish

TFQKD = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
PREDICTION = os.path.join(DATA, "sns_prediction.json")
OBSERVED = os.path.join(DATA, "sns_observed.json")
PM_PREDICTION = os.path.join(DATA, "pm_prediction.json")
PM_OBSERVED = os.path.join(DATA, "pm_observed.json")
CAL19_PREDICTION = os.path.join(DATA, "cal19_prediction.json")
CAL19_OBSERVED = os.path.join(DATA, "cal19_observed.json")
MP_PREDICTION = os.path.join(DATA, "mp_prediction.json")
MP_OBSERVED = os.path.join(DATA, "mp_observed.json")
SVG = "{http://www.w3.org/2000/svg}"


def run(*args):
    return support.run(TFQKD, "keyrate", *args, timeout=120)


def run_json(*args):
    return with_json(run(*args, "--json"))


BREAKDOWN_TERMS = ("length", "s0_lower", "s0_upper", "s1_lower", "untagged_lower", "phase_errors_upper",
                   "phase_error_rate_upper", "key_error_rate", "ec_leakage", "correctness_bits", "privacy_bits")

with tempfile.TemporaryDirectory() as tmp:
    scenario = load(PREDICTION)

    # --- a prediction at one distance ---------------------------------------------------------------
    r, one = run_json(PREDICTION, "--distance", "200")
    check("prediction at 200 km exits 0 with one JSON object", r.returncode == 0 and isinstance(one, dict), r.stderr)
    one = one or {}
    fields = ("protocol", "analysis", "distance_km", "key_length_bits", "key_rate_per_pulse", "key_rate_per_second",
              "plob_per_pulse", "ratio_to_plob", "breakdown")
    check("the result has every documented field", all(f in one for f in fields),
          [f for f in fields if f not in one])
    check("protocol, analysis and distance are as asked",
          one.get("protocol") == "sns" and one.get("analysis") == "finite" and one.get("distance_km") == 200)
    bits = one.get("key_length_bits", 0)
    n = scenario["protocol"]["pulses"]
    check("the certified key at 200 km is positive and has no zero_reason", bits > 0 and "zero_reason" not in one,
          json.dumps(one)[:400])
    check("key_rate_per_pulse is the certified length over N, rounded down",
          0 < one.get("key_rate_per_pulse", 0) <= bits / n and one["key_rate_per_pulse"] > bits / n * (1 - 1e-12))
    check("key_rate_per_second uses the file's clock",
          abs(one.get("key_rate_per_second", 0) - one.get("key_rate_per_pulse", 0) * 1e9) <= 1e-6 * one.get("key_rate_per_second", 1))
    breakdown = one.get("breakdown", {})
    check("the breakdown has every term as lower <= upper",
          all(t in breakdown and breakdown[t]["lower"] <= breakdown[t]["upper"] for t in BREAKDOWN_TERMS)
          and "eps_total" in breakdown and "estimates" in breakdown, json.dumps(breakdown)[:600])
    check("the certified key is the floor of the lower end of the formula",
          bits == int(breakdown.get("length", {}).get("lower", -1)))
    check("the finite-key composition stays within the budget",
          0 < breakdown.get("eps_total", 0) <= scenario["security"]["eps_total"])
    check("PLOB at 200 km is -log2(1 - 10^-4) and the ratio is rate / PLOB",
          abs(one.get("plob_per_pulse", 0) - 1.4427671e-4) < 1e-10
          and abs(one.get("ratio_to_plob", 0) - one.get("key_rate_per_pulse", 0) / one.get("plob_per_pulse", 1)) < 1e-9)
    check("nothing timing-related in the JSON", not any("time" in k or k.endswith("_ms") for k in one), list(one))

    t = run(PREDICTION)
    check("the default output is a table with the breakdown",
          t.returncode == 0 and "key length (bits)" in t.stdout and "Breakdown" in t.stdout and "300 km" in t.stdout,
          t.stdout[:800] + t.stderr)

    # --- a sweep ----------------------------------------------------------------------------------
    start = time.monotonic()
    r, sweep = run_json(PREDICTION, "--sweep", "0:700:10")
    elapsed = time.monotonic() - start
    check("a sweep 0:700:10 exits 0 with a JSON array of 71 points",
          r.returncode == 0 and isinstance(sweep, list) and len(sweep) == 71, r.stderr)
    sweep = sweep or []
    check("the sweep's distances are 0, 10, ..., 700", [p.get("distance_km") for p in sweep] == list(range(0, 701, 10)))
    rates = [p["key_rate_per_pulse"] for p in sweep]
    check("the certified rate does not increase with distance (beyond the first points)",
          all(b <= a for a, b in zip(rates[2:], rates[3:])), rates)
    check("the sweep reaches zero key, and each zero point says why",
          rates and rates[-1] == 0 and all(("zero_reason" in p) == (p["key_length_bits"] == 0) for p in sweep))
    check("the sweep takes under 5 s (it takes about 30 ms)", elapsed < 5, f"{elapsed:.2f} s")

    # --- asymptotic against finite ------------------------------------------------------------------
    for km in ("50", "300", "550"):
        _, fin = run_json(PREDICTION, "--distance", km)
        _, asym = run_json(PREDICTION, "--distance", km, "--asymptotic")
        check(f"asymptotic >= finite at {km} km",
              fin and asym and asym["analysis"] == "asymptotic" and asym["key_length_bits"] >= fin["key_length_bits"],
              f"{fin and fin['key_length_bits']} vs {asym and asym['key_length_bits']}")

    # --- beating PLOB ---------------------------------------------------------------------------------
    # pz = 0.7, eps = 0.03; mu_z 0.4; X decoys 0, 0.1, 0.38 with 0.12, 0.12, 0.06.
    big = copy.deepcopy(scenario)
    big["protocol"]["pulses"] = 1e15
    big["protocol"]["alice"] = [
        {"window": "z", "intensity": 0.4, "probability": 0.7 * 0.03},
        {"window": "z", "intensity": 0, "probability": 0.7 * 0.97},
        {"window": "x", "intensity": 0, "probability": 0.12},
        {"window": "x", "intensity": 0.1, "probability": 0.12},
        {"window": "x", "intensity": 0.38, "probability": 0.06},
    ]
    big["detector"] = {"efficiency": 0.8, "dark_count_probability": 1e-10}
    big["misalignment"] = 0.03
    big["phase_noise_rad"] = 0
    big["link"] = {"distance_km": 500, "attenuation_db_per_km": 0.2}
    r, far = run_json(write(os.path.join(tmp, "big.json"), big), "--asymptotic")
    check("asymptotically, with N = 1e15, SNS beats PLOB at 500 km",
          r.returncode == 0 and far and far["key_rate_per_pulse"] > far["plob_per_pulse"] and far["ratio_to_plob"] > 1,
          r.stderr + json.dumps(far)[:300])

    # --- certifying observed statistics -----------------------------------------------------------
    r, predicted = run_json(PREDICTION, "--distance", "150")
    expected = (predicted or {}).get("expected_counts", {})
    check("a prediction prints the counts it expects", {"classes", "phase_matched", "key"} <= set(expected), list(expected))
    whole = lambda d: {k: (v if k in ("alice", "bob") else int(round(v))) for k, v in d.items()}
    observed = {
        "protocol": scenario["protocol"],
        "security": scenario["security"],
        "counts": {
            "classes": [whole(c) for c in expected.get("classes", [])],
            "phase_matched": whole(expected.get("phase_matched", {})),
            "key": whole(expected.get("key", {})),
        },
    }
    r, certified = run_json(write(os.path.join(tmp, "observed.json"), observed))
    check("certifying the rounded counts of a prediction gives a positive key",
          r.returncode == 0 and certified and certified["key_length_bits"] > 0 and certified["input"] == "certification",
          r.stderr + r.stdout[:300])
    check("... close to the predicted key (rounding moves it by far less than 1%)",
          certified and predicted
          and abs(certified["key_length_bits"] - predicted["key_length_bits"]) < 0.01 * predicted["key_length_bits"])
    check("... and without a reference link, no distance and no PLOB",
          certified and "distance_km" not in certified and certified["plob_per_pulse"] is None)
    r, committed = run_json(OBSERVED)
    check("the committed example statistics certify a positive key at 300 km, placed against PLOB",
          r.returncode == 0 and committed and committed["key_length_bits"] > 0 and committed["distance_km"] == 300
          and committed["plob_per_pulse"] > 0, r.stderr)
    moved = run(OBSERVED, "--distance", "100")
    check("--distance on observed statistics is refused", moved.returncode == 2 and "--distance" in moved.stderr,
          moved.stderr)

    # --- SNS with AOPP ---------------------------------------------------------------------------------
    paired = copy.deepcopy(scenario)
    paired["protocol"]["aopp"] = True
    paired_path = write(os.path.join(tmp, "aopp_prediction.json"), paired)
    r, predicted_aopp = run_json(paired_path, "--distance", "400")
    expected_aopp = (predicted_aopp or {}).get("expected_counts", {})
    check("an AOPP prediction certifies a key and shows the pairing it expects",
          r.returncode == 0 and predicted_aopp and predicted_aopp["aopp"] is True and predicted_aopp["key_length_bits"] > 0
          and {"bob_zeros", "bob_ones", "pairs"} <= set(expected_aopp.get("aopp", {})), r.stderr)
    check("... whose breakdown has the untagged bits before and after pairing",
          predicted_aopp and {"raw_untagged_lower", "raw_phase_error_rate_upper"} <= set(predicted_aopp["breakdown"])
          and predicted_aopp["breakdown"]["untagged_lower"]["upper"]
          < predicted_aopp["breakdown"]["raw_untagged_lower"]["lower"])
    observed_aopp = {
        "protocol": paired["protocol"],
        "security": paired["security"],
        "counts": {
            "classes": [whole(c) for c in expected_aopp.get("classes", [])],
            "phase_matched": whole(expected_aopp.get("phase_matched", {})),
            "key": whole(expected_aopp.get("key", {})),
            "aopp": whole(expected_aopp.get("aopp", {})),
        },
    }
    r, certified_aopp = run_json(write(os.path.join(tmp, "aopp_observed.json"), observed_aopp))
    check("certifying the rounded AOPP counts gives the predicted key within 1%",
          r.returncode == 0 and certified_aopp and predicted_aopp
          and abs(certified_aopp["key_length_bits"] - predicted_aopp["key_length_bits"])
          < 0.01 * predicted_aopp["key_length_bits"], r.stderr + r.stdout[:300])
    c = run(paired_path, "--sweep", "300:400:100", "--csv")
    check("the CSV names the protocol sns-aopp", c.returncode == 0 and c.stdout.count("\nsns-aopp,") == 2, c.stdout)

    # --- --optimise ---------------------------------------------------------------------------------
    r_fixed, fixed = run_json(PREDICTION, "--distance", "300")
    r_opt, opt = run_json(PREDICTION, "--distance", "300", "--optimise")
    check("--optimise certifies a key at least as long as the file's parameters give",
          r_opt.returncode == 0 and opt and fixed and opt["key_length_bits"] >= fixed["key_length_bits"] > 0,
          r_opt.stderr)
    check("--optimise reports the parameters it found, which sum to probability 1",
          opt and "optimised" in opt and abs(sum(x["probability"] for x in opt["optimised"]["alice"]) - 1) < 1e-9
          and opt["optimised"]["evaluations"] > 0, json.dumps(opt.get("optimised") if opt else None))
    refused = run(OBSERVED, "--optimise")
    check("--optimise on observed statistics is refused", refused.returncode == 2 and "--optimise" in refused.stderr,
          refused.stderr)

    # --- zero key is a success ------------------------------------------------------------------------
    r, none = run_json(PREDICTION, "--distance", "800")
    check("a zero key exits 0 and says why",
          r.returncode == 0 and none and none["key_length_bits"] == 0 and none["key_rate_per_pulse"] == 0
          and none.get("zero_reason"), r.stderr)
    t = run(PREDICTION, "--distance", "800")
    check("the table says why the key is empty", t.returncode == 0 and "No key:" in t.stdout, t.stdout[-600:])

    # --- CSV --------------------------------------------------------------------------------------
    c = run(PREDICTION, "--sweep", "100:300:50", "--csv")
    rows = list(csv.reader(io.StringIO(c.stdout)))
    check("CSV has a header and one row per point",
          c.returncode == 0 and len(rows) == 6 and "key_rate_per_pulse" in rows[0] and rows[0][0] == "protocol",
          c.stdout)
    check("CSV rows have as many fields as the header", rows and all(len(row) == len(rows[0]) for row in rows))
    if len(rows) == 6:
        header = rows[0]
        check("CSV values match the JSON",
              [float(row[header.index("distance_km")]) for row in rows[1:]] == [100, 150, 200, 250, 300]
              and int(rows[3][header.index("key_length_bits")]) == bits)

    # --- the plot ---------------------------------------------------------------------------------
    def curves(path):
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as e:
            return None, str(e)
        ids = {el.get("id") for el in root.iter() if el.tag in (SVG + "path", SVG + "polyline")}
        return root, ids

    svg = os.path.join(tmp, "sweep.svg")
    p = run(PREDICTION, "--sweep", "0:700:10", "--plot", svg)
    root, ids = curves(svg)
    check("--plot writes well-formed SVG", p.returncode == 0 and root is not None and root.tag == SVG + "svg",
          p.stderr + str(ids))
    check("the plot has a path for the key-rate curve and one for PLOB",
          root is not None and {"curve-rate", "curve-plob"} <= ids, ids)
    text = " ".join(el.text or "" for el in root.iter()) if root is not None else ""
    check("the plot has axis titles with units, a legend and a title with N and the analysis",
          all(s in text for s in ("(km)", "bits per pulse", "PLOB", "finite-key", "N = ")), text[:400])
    check("the plot says that zero-key points are left out", "left out" in text, text[-400:])

    single = os.path.join(tmp, "single.svg")
    p = run(PREDICTION, "--plot", single, "--asymptotic")
    root, ids = curves(single)
    check("a single point plots with PLOB", p.returncode == 0 and root is not None and "curve-plob" in ids
          and root.find(f".//{SVG}circle") is not None, p.stderr)
    # Several protocols on one plot: AOPP and PM-QKD beside this file's SNS.
    paired_file = write(os.path.join(tmp, "compare_aopp.json"), {**scenario, "protocol": {**scenario["protocol"], "aopp": True},
                                                                 "description": "SNS with AOPP"})
    compare_svg = os.path.join(tmp, "compare.svg")
    p = run(PREDICTION, "--sweep", "0:500:50", "--plot", compare_svg, "--compare", paired_file,
            "--compare", os.path.join(DATA, "pm_prediction.json"))
    root = ET.parse(compare_svg).getroot() if p.returncode == 0 and os.path.exists(compare_svg) else None
    ids = [e.get("id") for e in root.iter()] if root is not None else []
    legend = " ".join(t.text or "" for t in root.iter(SVG + "text")) if root is not None else ""
    check("--compare draws one more curve per file, named in the legend",
          {"curve-rate", "curve-plob", "curve-compare-1", "curve-compare-2"} <= set(ids)
          and "sns-aopp: SNS with AOPP" in legend and "pm:" in legend, p.stderr)
    refused = run(PREDICTION, "--sweep", "0:500:50", "--compare", paired_file)
    check("--compare without --plot is refused", refused.returncode == 2 and "--compare" in refused.stderr, refused.stderr)
    refused = run(PREDICTION, "--sweep", "0:500:50", "--plot", compare_svg, "--compare", OBSERVED)
    check("--compare of observed statistics is refused, naming that file",
          refused.returncode == 2 and refused.stderr.startswith("tfqkd: " + OBSERVED), refused.stderr)
    unwritable = run(PREDICTION, "--plot", os.path.join(tmp, "no", "such", "dir.svg"))
    check("an unwritable plot is an output error (exit 1)", unwritable.returncode == 1 and "dir.svg" in unwritable.stderr,
          unwritable.stderr)

    # --- bad input ------------------------------------------------------------------------------------
    def bad(name, document, field, *args, text=None):
        path = os.path.join(tmp, name + ".json")
        if text is not None:
            with open(path, "w") as f:
                f.write(text)
        else:
            write(path, document)
        r = run(path, *args)
        check(f"bad input ({name}): exit 2, the file and {field} named",
              r.returncode == 2 and r.stderr.startswith("tfqkd: " + path + ": ") and field in r.stderr
              and "Traceback" not in r.stderr and r.stdout == "", f"{r.returncode}: {r.stderr}")
        return r.stderr

    d = copy.deepcopy(scenario)
    d["protocol"]["alice"][2]["probability"] = 1.3
    msg = bad("probability", d, "protocol.alice[2].probability")
    check("... and says what is accepted", "1.3 is outside (0, 1]" in msg, msg)

    d = copy.deepcopy(scenario)
    d["protocol"]["alise"] = d["protocol"].pop("alice")
    msg = bad("misspelt", d, "protocol.alise")
    check("... an unknown field lists the accepted ones", "unknown field" in msg and "alice" in msg and "pulses" in msg, msg)

    d = copy.deepcopy(scenario)
    del d["protocol"]
    bad("missing_protocol", d, "protocol: missing")

    d = load(OBSERVED)
    d["counts"]["classes"][0]["left"] = 12.5
    msg = bad("fractional_count", d, "counts.classes[0].left")
    check("... a fraction is not a count", "not a whole number" in msg, msg)

    d = copy.deepcopy(scenario)
    d["link"]["distance_km"] = -5
    bad("negative_distance", d, "link.distance_km")
    bad("negative_distance_flag", scenario, "--distance", "--distance", "-5")

    msg = bad("malformed", None, "not valid JSON", text='{"protocol": {"family": "sns",}}')
    check("... a syntax error gives the byte position", "byte 31" in msg, msg)

    d = copy.deepcopy(scenario)
    d["protocol"]["pulses"] = "1e12"
    bad("pulses_string", d, "protocol.pulses")

    d = copy.deepcopy(scenario)
    d["protocol"]["bob"] = copy.deepcopy(d["protocol"]["alice"])
    d["protocol"]["bob"][0]["intensity"] = 0.5  # asymmetric settings, which the library refuses
    msg = bad("library_error", d, "protocol.bob")
    check("... the refusal says what is accepted", "symmetric" in msg, msg)

    three = copy.deepcopy(scenario)
    del three["protocol"]["alice"][4]  # no X mu_2: the 3-intensity protocol
    three["protocol"]["alice"][2]["probability"] += 0.06
    r, three_result = run_json(write(os.path.join(tmp, "three.json"), three), "--distance", "300")
    check("the 3-intensity protocol predicts a certified key, with its one-sided Z classes among the counts",
          r.returncode == 0 and three_result and three_result["key_length_bits"] > 0
          and any(c["alice"] == 0 and c["bob"] == 1 for c in three_result["expected_counts"]["classes"]), r.stderr)

    aopp_observed = copy.deepcopy(observed_aopp)
    del aopp_observed["counts"]["aopp"]
    bad("aopp_counts_missing", aopp_observed, "counts.aopp")
    aopp_observed = copy.deepcopy(observed_aopp)
    aopp_observed["counts"]["aopp"]["pairs"] = aopp_observed["counts"]["aopp"]["bob_zeros"] + 1
    msg = bad("aopp_too_many_pairs", aopp_observed, "counts.aopp.pairs")
    check("... says the pairs may not exceed min(bob_zeros, bob_ones)", "min(bob_zeros, bob_ones)" in msg, msg)
    aopp_observed = copy.deepcopy(observed_aopp)
    aopp_observed["protocol"]["aopp"] = False
    bad("aopp_counts_without_aopp", aopp_observed, "counts.aopp")

    d = copy.deepcopy(scenario)
    d["security"]["eps_total"] = 1e-9
    msg = bad("epsilon_budget", d, "security.eps_total")
    check("... an exceeded budget says what the epsilons compose to", "compose to" in msg, msg)

    bad("duplicate_key", None, "protocol.family", text='{"protocol": {"family": "sns", "family": "sns"}, "link": {}}')
    bad("both_kinds", None, "counts", text='{"link": {}, "counts": {}}')
    bad("sweep_syntax", scenario, "--sweep", "--sweep", "0:700")

    # --- PM-QKD (docs/security.md 7, docs/keyrate.md "PM files") -------------------------------------
    pm_scenario = load(PM_PREDICTION)
    r, pm = run_json(PM_PREDICTION)
    pm = pm or {}
    check("PM prediction at 200 km exits 0, protocol pm, a positive certified key",
          r.returncode == 0 and pm.get("protocol") == "pm" and pm.get("key_length_bits", 0) > 0, r.stderr)
    pm_breakdown = pm.get("breakdown", {})
    check("the PM breakdown has every term as lower <= upper and 7 estimates within the budget",
          all(t in pm_breakdown and pm_breakdown[t]["lower"] <= pm_breakdown[t]["upper"] for t in BREAKDOWN_TERMS)
          and pm_breakdown.get("estimates") == 7
          and 0 < pm_breakdown.get("eps_total", 0) <= pm_scenario["security"]["eps_total"], json.dumps(pm_breakdown)[:600])
    expected = pm.get("expected_counts", {})
    check("the PM expected counts have the PM form (matched classes and key windows, no SNS classes)",
          sorted(expected) == ["key", "matched"] and len(expected.get("matched", [])) == 3
          and expected.get("key", {}).get("windows", 0) > expected.get("key", {}).get("effective", 0) > 0, json.dumps(expected)[:400])
    # The prediction's expected counts, rounded, certified as observed statistics: the round trip.
    rounded_counts = {"matched": [{k: (round(v) if isinstance(v, float) else v) for k, v in m.items()}
                                  for m in expected.get("matched", [])],
                      "key": {k: round(v) for k, v in expected.get("key", {}).items()}}
    observed_pm = {"description": "round trip", "protocol": pm_scenario["protocol"], "security": pm_scenario["security"],
                   "counts": rounded_counts, "ec_efficiency": pm_scenario["ec_efficiency"],
                   "reference_link": pm_scenario["link"]}
    r, cert = run_json(write(os.path.join(tmp, "pm_round_trip.json"), observed_pm))
    cert = cert or {}
    check("the PM prediction's counts, rounded, certify to within 0.1 % of the prediction's key",
          r.returncode == 0 and cert.get("input") == "certification" and cert.get("protocol") == "pm"
          and abs(cert.get("key_length_bits", 0) - pm.get("key_length_bits", -1)) <= 1e-3 * pm.get("key_length_bits", 1),
          r.stderr + json.dumps(cert)[:300])
    r, cert = run_json(PM_OBSERVED)
    check("the shipped PM certification example certifies a positive key",
          r.returncode == 0 and (cert or {}).get("key_length_bits", 0) > 0 and (cert or {}).get("protocol") == "pm", r.stderr)
    t = run(PM_OBSERVED)
    check("the PM table names Y1, n1 and E^X", t.returncode == 0 and "pm, certified from observed statistics" in t.stdout
          and "single-photon yield Y1" in t.stdout and "phase-error rate E^X" in t.stdout, t.stdout[:1200] + t.stderr)
    c = run(PM_PREDICTION, "--csv", "--sweep", "100:400:100", "--asymptotic")
    rows = list(csv.DictReader(io.StringIO(c.stdout))) if c.returncode == 0 else []
    check("a PM CSV sweep has one row per point labelled pm, with a zero beyond the cutoff",
          len(rows) == 4 and all(row["protocol"] == "pm" for row in rows) and int(rows[1]["key_length_bits"]) > 0
          and rows[3]["key_length_bits"] == "0" and rows[3]["zero_reason"] != "", c.stdout + c.stderr)
    pm_svg = os.path.join(tmp, "pm.svg")
    p = run(PM_PREDICTION, "--sweep", "100:300:50", "--plot", pm_svg)
    root, ids = curves(pm_svg)
    check("a PM sweep plots a rate curve and PLOB", p.returncode == 0 and root is not None and "curve-plob" in ids, p.stderr)
    o = run_json(PM_PREDICTION, "--optimise", "--distance", "300")
    check("--optimise searches PM and certifies the optimum",
          o[0].returncode == 0 and (o[1] or {}).get("optimised", {}).get("evaluations", 0) > 0
          and (o[1] or {}).get("key_length_bits", 0) > 0, o[0].stderr)

    d = copy.deepcopy(observed_pm)
    d["counts"]["matched"][1]["errors"] = d["counts"]["matched"][1]["effective"] + 1
    bad("pm_errors_above_effective", d, "counts.matched[1].errors")
    d = copy.deepcopy(observed_pm)
    del d["counts"]["key"]["windows"]
    bad("pm_missing_key_windows", d, "counts.key.windows")
    d = copy.deepcopy(observed_pm)
    d["counts"]["matched"].pop(2)
    msg = bad("pm_missing_nu2_class", d, "counts.matched")
    check("... names the missing PM class", "nu_2 - nu_2" in msg, msg)
    d = copy.deepcopy(observed_pm)
    d["counts"]["phase_matched"] = {"windows": 1, "effective": 0, "errors": 0}
    bad("pm_sns_field", d, "counts.phase_matched")
    d = copy.deepcopy(pm_scenario)
    d["protocol"]["alice"][0]["window"] = "x"
    msg = bad("pm_no_key_setting", d, "protocol.alice")
    check("... says which PM role is missing", "key setting" in msg and "protocol.family" in msg, msg)

    # --- CAL19 (docs/security.md 8, docs/keyrate.md "CAL19 files") -----------------------------------
    cal_scenario = load(CAL19_PREDICTION)
    r, cal = run_json(CAL19_PREDICTION)
    cal = cal or {}
    check("CAL19 prediction at 250 km exits 0, protocol cal19, a positive certified key",
          r.returncode == 0 and cal.get("protocol") == "cal19" and cal.get("key_length_bits", 0) > 0, r.stderr)
    cal_breakdown = cal.get("breakdown", {})
    check("the CAL19 breakdown has every term as lower <= upper and 19 estimates (9 classes) within the budget",
          all(t in cal_breakdown and cal_breakdown[t]["lower"] <= cal_breakdown[t]["upper"] for t in BREAKDOWN_TERMS)
          and cal_breakdown.get("estimates") == 19
          and 0 < cal_breakdown.get("eps_total", 0) <= cal_scenario["security"]["eps_total"], json.dumps(cal_breakdown)[:600])
    expected = cal.get("expected_counts", {})
    check("the CAL19 expected counts have the CAL19 form (9 test classes and the key, no phase_matched)",
          sorted(expected) == ["classes", "key"] and len(expected.get("classes", [])) == 9
          and expected.get("key", {}).get("windows", 0) > expected.get("key", {}).get("effective", 0) > 0,
          json.dumps(expected)[:400])
    rounded = {"classes": [{k: round(v) for k, v in c.items()} for c in expected.get("classes", [])],
               "key": {k: round(v) for k, v in expected.get("key", {}).items()}}
    observed_cal = {"description": "round trip", "protocol": cal_scenario["protocol"], "security": cal_scenario["security"],
                    "counts": rounded, "ec_efficiency": cal_scenario["ec_efficiency"], "reference_link": cal_scenario["link"]}
    r, cert = run_json(write(os.path.join(tmp, "cal19_round_trip.json"), observed_cal))
    cert = cert or {}
    check("the CAL19 prediction's counts, rounded, certify to within 0.1 % of the prediction's key",
          r.returncode == 0 and cert.get("input") == "certification" and cert.get("protocol") == "cal19"
          and abs(cert.get("key_length_bits", 0) - cal.get("key_length_bits", -1)) <= 1e-3 * cal.get("key_length_bits", 1),
          r.stderr + json.dumps(cert)[:300])
    t = run(CAL19_OBSERVED)
    check("the shipped CAL19 certification example certifies a positive key and names Y00 and the phase-error rate",
          t.returncode == 0 and "cal19, certified from observed statistics" in t.stdout and "vacuum yield Y00" in t.stdout
          and "phase-error rate" in t.stdout and "phase slices" not in t.stdout, t.stdout[:1200] + t.stderr)
    c = run(CAL19_PREDICTION, "--csv", "--sweep", "100:500:200")
    rows = list(csv.DictReader(io.StringIO(c.stdout))) if c.returncode == 0 else []
    check("a CAL19 CSV sweep has one row per point labelled cal19, with a zero beyond the cutoff",
          len(rows) == 3 and all(row["protocol"] == "cal19" for row in rows) and int(rows[0]["key_length_bits"]) > 0
          and rows[2]["key_length_bits"] == "0" and rows[2]["zero_reason"] != "", c.stdout + c.stderr)
    o = run_json(CAL19_PREDICTION, "--optimise", "--distance", "350")
    check("--optimise searches CAL19 and certifies the optimum above the unoptimised key",
          o[0].returncode == 0 and (o[1] or {}).get("optimised", {}).get("evaluations", 0) > 0
          and (o[1] or {}).get("key_length_bits", 0) > 0, o[0].stderr)

    d = copy.deepcopy(observed_cal)
    d["counts"]["classes"][0]["alice"] = 0
    bad("cal19_key_setting_in_class", d, "counts.classes[0]")
    d = copy.deepcopy(observed_cal)
    d["counts"]["phase_matched"] = {"windows": 1, "effective": 0, "errors": 0}
    bad("cal19_sns_field", d, "counts.phase_matched")
    d = copy.deepcopy(observed_cal)
    d["counts"]["key"]["errors"] = d["counts"]["key"]["effective"] + 1
    bad("cal19_errors_above_effective", d, "counts.key.errors")
    d = copy.deepcopy(cal_scenario)
    d["protocol"]["alice"] = d["protocol"]["alice"][:2]
    d["protocol"]["alice"][0]["probability"] = 0.97
    msg = bad("cal19_one_decoy", d, "protocol.alice")
    check("... says CAL19 needs two decoys", "at least two" in msg and "cal19" in msg, msg)
    d = copy.deepcopy(observed_cal)
    d["counts"]["classes"] = []
    bad("cal19_no_classes", d, "counts.classes")

    # --- MP-QKD (docs/security.md 9, docs/keyrate.md "Mode-pairing files") ---------------------------
    mp_scenario = load(MP_PREDICTION)
    r, mp = run_json(MP_PREDICTION)
    mp = mp or {}
    check("MP prediction at 200 km exits 0, protocol mode_pairing, a positive certified key",
          r.returncode == 0 and mp.get("protocol") == "mode_pairing" and mp.get("key_length_bits", 0) > 0, r.stderr)
    mp_breakdown = mp.get("breakdown", {})
    check("the MP breakdown has every term as lower <= upper and 14 estimates within the budget",
          all(t in mp_breakdown and mp_breakdown[t]["lower"] <= mp_breakdown[t]["upper"] for t in BREAKDOWN_TERMS)
          and mp_breakdown.get("estimates") == 14
          and 0 < mp_breakdown.get("eps_total", 0) <= mp_scenario["security"]["eps_total"], json.dumps(mp_breakdown)[:600])
    expected = mp.get("expected_counts", {})
    pairing = expected.get("mode_pairing", {})
    check("the MP expected counts have the mode-pairing form (pairs no more than half the heralded rounds)",
          sorted(expected) == ["key", "mode_pairing"] and len(pairing.get("classes", [])) >= 10
          and 0 < 2 * pairing.get("pairs", 0) <= pairing.get("heralded_rounds", 0) * (1 + 1e-12)
          and expected.get("key", {}).get("effective", 0) > 0, json.dumps(expected)[:400])
    # The prediction's expected counts, rounded, certified as observed statistics: the round trip.
    rounded_counts = {"mode_pairing": {"heralded_rounds": round(pairing.get("heralded_rounds", 0)),
                                       "pairs": round(pairing.get("pairs", 0)),
                                       "classes": [{k: (round(v) if isinstance(v, float) else v) for k, v in c.items()}
                                                   for c in pairing.get("classes", [])]},
                      "key": {k: round(v) for k, v in expected.get("key", {}).items()}}
    # Rounding may put 2 pairs one above the heralded rounds: keep the rounded pairs consistent.
    rounded_counts["mode_pairing"]["pairs"] = min(rounded_counts["mode_pairing"]["pairs"],
                                                  rounded_counts["mode_pairing"]["heralded_rounds"] // 2)
    observed_mp = {"description": "round trip", "protocol": mp_scenario["protocol"], "security": mp_scenario["security"],
                   "counts": rounded_counts, "ec_efficiency": mp_scenario["ec_efficiency"],
                   "reference_link": mp_scenario["link"]}
    r, cert = run_json(write(os.path.join(tmp, "mp_round_trip.json"), observed_mp))
    cert = cert or {}
    check("the MP prediction's counts, rounded, certify to within 0.1 % of the prediction's key",
          r.returncode == 0 and cert.get("input") == "certification" and cert.get("protocol") == "mode_pairing"
          and abs(cert.get("key_length_bits", 0) - mp.get("key_length_bits", -1)) <= 1e-3 * mp.get("key_length_bits", 1),
          r.stderr + json.dumps(cert)[:300])
    r, cert = run_json(MP_OBSERVED)
    check("the shipped MP certification example certifies a positive key",
          r.returncode == 0 and (cert or {}).get("key_length_bits", 0) > 0
          and (cert or {}).get("protocol") == "mode_pairing", r.stderr)
    t = run(MP_OBSERVED)
    check("the MP table names Y11, n11 and e11", t.returncode == 0 and "mode_pairing, certified from observed statistics" in t.stdout
          and "single-photon pair yield Y11" in t.stdout and "phase-error rate e11" in t.stdout, t.stdout[:1200] + t.stderr)
    c = run(MP_PREDICTION, "--csv", "--sweep", "100:700:200", "--asymptotic")
    rows = list(csv.DictReader(io.StringIO(c.stdout))) if c.returncode == 0 else []
    check("an MP CSV sweep has one row per point labelled mode_pairing, with a zero beyond the cutoff",
          len(rows) == 4 and all(row["protocol"] == "mode_pairing" for row in rows) and int(rows[1]["key_length_bits"]) > 0
          and rows[3]["key_length_bits"] == "0" and rows[3]["zero_reason"] != "", c.stdout + c.stderr)
    mp_svg = os.path.join(tmp, "mp.svg")
    p = run(MP_PREDICTION, "--sweep", "100:300:50", "--plot", mp_svg, "--compare", PM_PREDICTION)
    root, ids = curves(mp_svg)
    check("an MP sweep plots a rate curve and PLOB, and compares with PM", p.returncode == 0 and root is not None
          and "curve-plob" in ids, p.stderr)
    o = run_json(MP_PREDICTION, "--optimise", "--distance", "300")
    check("--optimise searches MP and certifies the optimum",
          o[0].returncode == 0 and (o[1] or {}).get("optimised", {}).get("evaluations", 0) > 0
          and (o[1] or {}).get("key_length_bits", 0) > 0, o[0].stderr)

    d = copy.deepcopy(observed_mp)
    d["counts"]["mode_pairing"]["classes"][0]["errors"] = d["counts"]["mode_pairing"]["classes"][0]["pairs"] + 1
    bad("mp_errors_above_pairs", d, "counts.mode_pairing.classes[0].errors")
    d = copy.deepcopy(observed_mp)
    d["counts"]["mode_pairing"]["pairs"] = d["counts"]["mode_pairing"]["heralded_rounds"]
    bad("mp_pairs_above_half", d, "counts.mode_pairing.pairs")
    d = copy.deepcopy(observed_mp)
    d["counts"]["mode_pairing"]["classes"] = [c for c in d["counts"]["mode_pairing"]["classes"]
                                              if not (c["basis"] == "x" and c["alice"] == 1 and c["bob"] == 1)]
    msg = bad("mp_missing_x_decoy_class", d, "counts.mode_pairing.classes")
    check("... names the missing MP class", "X decoy - decoy" in msg, msg)
    d = copy.deepcopy(observed_mp)
    d["counts"]["mode_pairing"]["classes"][0]["basis"] = "y"
    bad("mp_bad_basis", d, "counts.mode_pairing.classes[0].basis")
    d = copy.deepcopy(observed_mp)
    d["counts"]["mode_pairing"]["classes"].append({"basis": "z", "alice": 2, "bob": 2, "pairs": 1})
    bad("mp_key_as_class", d, "counts.mode_pairing.classes[].basis")
    d = copy.deepcopy(observed_mp)
    d["counts"]["matched"] = []
    bad("mp_pm_field", d, "counts.matched")
    d = copy.deepcopy(mp_scenario)
    del d["protocol"]["max_pairing_interval"]
    bad("mp_no_interval", d, "protocol.max_pairing_interval")
    d = copy.deepcopy(load(PM_PREDICTION))
    d["protocol"]["max_pairing_interval"] = 10
    bad("pm_with_interval", d, "protocol.max_pairing_interval")
    d = copy.deepcopy(mp_scenario)
    d["protocol"]["phase_slices"] = 15
    bad("mp_odd_slices", d, "protocol.phase_slices")
    d = copy.deepcopy(mp_scenario)
    d["protocol"]["alice"][1]["window"] = "x"
    msg = bad("mp_window_x", d, "protocol.alice")
    check("... says that MP settings are all window z", "window z" in msg and "mode_pairing" in msg, msg)

finish()
