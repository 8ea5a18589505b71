#!/usr/bin/env python3
"""End-to-end tests of `tfqkd network`: the default PKU network (sessions scaled down further so the
test stays quick) with every pair's equal keys and certified rate above PLOB, the text and the report
agreeing, the three pictures well-formed SVG with what they should show, the planning mode on a
200-user star, per-pair job files whose results equal the whole plan's, a concurrent schedule with
the same transcripts as the sequential one, an aborted pair (exit 3), and bad input named by file and
element (exit 2). The report's schema is checked in schema_test.py.

Usage: network_test.py PATH_TO_TFQKD
Prints TAP (one "ok N - name" line per check).
"""
import glob
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

import support
from support import load, with_json, write
from tap import check, finish

TFQKD = sys.argv[1]
SVG = "{http://www.w3.org/2000/svg}"


def network(*args):
    return support.run(TFQKD, "network", *args)


def default_scenario(tmp):
    """The embedded default, written out by the command itself."""
    path = os.path.join(tmp, "default.json")
    r = network("--plan", "--no-files", "--quiet", "--write-scenario", path)
    assert r.returncode == 0, r.stderr
    return load(path)


def two_pairs(tmp, name="two.json", **changes):
    """The default reduced to its first two pairs (4 clients): the quick scenario of these tests."""
    s = default_scenario(tmp)
    s["clients"] = s["clients"][:4]
    s["pairs"] = s["pairs"][:2]
    s.update(changes)
    return write(os.path.join(tmp, name), s)


with tempfile.TemporaryDirectory() as tmp:
    # --- the main job: the default network ----------------------------------------------------------
    out = os.path.join(tmp, "out")
    r = network("--session-pulses", "1e11", "--out", out)
    check("the default network exits 0", r.returncode == 0, r.stdout[-1500:] + r.stderr[-800:])
    rep = load(os.path.join(out, "report.json")) if os.path.exists(os.path.join(out, "report.json")) else {}
    pairs = rep.get("pairs", [])
    check("the report has the PKU layout: 20 chips, 10 pairs on 10 channels, 370 km each",
          len(rep.get("chips", [])) == 20 and len(pairs) == 10 and len({p["channel"] for p in pairs}) == 10
          and all(p["upstream_km"] == 370 for p in pairs), json.dumps(pairs)[:500])
    check("pair 5 has 60 + 60 km downstream, the others short",
          [c["downstream_km"] for c in rep["chips"][8:10]] == [60, 60]
          and all(c["downstream_km"] < 10 for i, c in enumerate(rep["chips"]) if i not in (8, 9)))
    check("every pair's session ended in equal keys of the certified length",
          all(p["session"]["outcome"] == "key" and p["session"]["keys_equal"] and p["session"]["key_bits"] > 0
              and p["session"]["key_bits"] == p["session"]["certified_bits"] for p in pairs),
          json.dumps([p["session"] for p in pairs])[:800])
    check("every pair's certified rate at the full block beats PLOB, as published",
          all(p["certified"]["key_bits"] > 0 and p["certified"]["ratio_to_plob"] > 1 for p in pairs)
          and rep["summary"]["pairs_above_plob"] == 10, json.dumps([p["certified"] for p in pairs])[:800])
    check("the ratio is the certified rate over PLOB",
          all(abs(p["certified"]["ratio_to_plob"] - p["certified"]["rate_per_pulse"] / p["plob_per_pulse"])
              <= 1e-12 * p["certified"]["ratio_to_plob"] for p in pairs))
    check("sessions run at the scaled-down block, rates at the full one",
          rep.get("session_pulses") == 10**11 and rep.get("pulses") == 10**12
          and all(p["session"]["pulses"] == 10**11 for p in pairs))
    check("each pair's session has its own seed (scenario seed + index)",
          [p["session"]["seed"] for p in pairs] == list(range(1, 11)))
    check("the table names every pair with its margin over PLOB",
          all(p["name"] in r.stdout for p in pairs)
          and all(f'{100 * (p["certified"]["ratio_to_plob"] - 1):+.1f} %' in r.stdout for p in pairs), r.stdout[-1500:])
    check("the table counts the pairs above PLOB and the sessions", "10 of 10 pairs above PLOB" in r.stdout
          and "10 of 10 ended in equal keys" in r.stdout, r.stdout[-600:])
    check("the progress display on stderr reports each pair",
          all(f"pair {i}/10" in r.stderr for i in range(1, 11)) and "done" in r.stderr, r.stderr[-800:])
    check("modulators: 120 on 20 chips, most working (yield 97.5 %)",
          rep["modulators"]["total"] == 120 and 110 <= rep["modulators"]["working"] <= 120, json.dumps(rep["modulators"]))

    # --- the pictures ---------------------------------------------------------------------------------
    def svg(name):
        try:
            return ET.parse(os.path.join(out, name)).getroot()
        except (ET.ParseError, OSError) as e:
            check(f"{name} is well-formed XML", False, str(e))
            return None

    bars, star, distance = svg("pair-rates.svg"), svg("network.svg"), svg("rate-distance.svg")
    if bars is not None:
        check("pair-rates.svg: an svg with a bar and a PLOB mark per pair",
              bars.tag == SVG + "svg" and len([e for e in bars.iter(SVG + "rect") if e.get("id", "").startswith("bar-")]) == 10
              and len([e for e in bars.iter(SVG + "line") if e.get("id", "").startswith("plob-")]) == 10)
        # Every bar's top lies above its PLOB mark (SVG y grows downwards): each pair beats the bound.
        tops = {e.get("id")[4:]: float(e.get("y")) for e in bars.iter(SVG + "rect") if e.get("id", "").startswith("bar-")}
        marks = {e.get("id")[5:]: float(e.get("y1")) for e in bars.iter(SVG + "line") if e.get("id", "").startswith("plob-")}
        check("pair-rates.svg: every bar reaches above its PLOB mark", tops and all(tops[k] < marks[k] for k in tops))
    if star is not None:
        texts = [t.text for t in star.iter(SVG + "text")]
        check("network.svg: every client and channel drawn",
              all(c["client"] in texts for c in rep["chips"]) and sum(1 for t in texts if t and t.startswith("ch ")) == 10,
              texts[:30])
    if distance is not None:
        ids = {e.get("id") for e in distance.iter(SVG + "path")}
        check("rate-distance.svg: the network's family, PLOB and the compared families",
              {"curve-rate", "curve-plob", "curve-compare-1", "curve-compare-2"} <= ids, sorted(i for i in ids if i))

    # --- planning: a 200-user star ---------------------------------------------------------------------
    r, plan = with_json(network("--plan", "--star", "200", "--json", "--no-files", "--quiet"))
    check("--plan --star 200: 200 clients in 100 pairs, rates only",
          r.returncode == 0 and plan is not None and len(plan["chips"]) == 200 and len(plan["pairs"]) == 100
          and plan["mode"] == "plan" and all(p["session"] is None for p in plan["pairs"]), r.stderr[-500:])
    if plan:
        # The relay balances unequal arms, so the longer arm sets a pair's loss (docs/network.md).
        arm = {c["client"]: c["upstream_km"] for c in plan["chips"]}
        longer = {p["name"]: max(arm[p["alice"]], arm[p["bob"]]) for p in plan["pairs"]}
        check("--plan: pairs with a longer arm get lower certified rates (a monotone trend over the star)",
              all(a["certified"]["rate_per_pulse"] >= b["certified"]["rate_per_pulse"]
                  for a in plan["pairs"] for b in plan["pairs"] if longer[a["name"]] + 20 < longer[b["name"]]))

    # --- jobs: one scenario file per pair, each giving what the whole plan gives -----------------------
    jobs = os.path.join(tmp, "jobs")
    r = network("--jobs", jobs)
    files = sorted(glob.glob(os.path.join(jobs, "pair-*.json")))
    check("--jobs writes one scenario per pair", r.returncode == 0 and len(files) == 10, r.stdout + r.stderr)
    r_plan, whole = with_json(network("--plan", "--json", "--no-files", "--quiet"))
    agree = []
    for k in (0, 4, 9):
        rj, job = with_json(network(files[k], "--plan", "--json", "--no-files", "--quiet"))
        agree.append(rj.returncode == 0 and job is not None and len(job["pairs"]) == 1
                     and job["pairs"][0]["name"] == whole["pairs"][k]["name"]
                     and job["pairs"][0]["certified"]["key_bits"] == whole["pairs"][k]["certified"]["key_bits"])
    check("a job file's pair certifies exactly what the whole plan gives it", all(agree), agree)

    # --- schedules: concurrent runs the same sessions --------------------------------------------------
    seq_path = two_pairs(tmp)
    con_path = two_pairs(tmp, "con.json", schedule="concurrent")
    rs, seq = with_json(network(seq_path, "--session-pulses", "1e11", "--json", "--no-files", "--quiet", "--threads", "1"))
    rc, con = with_json(network(con_path, "--session-pulses", "1e11", "--json", "--no-files", "--quiet"))
    same = seq is not None and [p["session"]["transcript_sha256"] for p in seq["pairs"]] == \
        [p["session"]["transcript_sha256"] for p in pairs[:2]] and [p["certified"] for p in seq["pairs"]] == \
        [p["certified"] for p in pairs[:2]]
    check("--json on one thread: the same pairs give the same sessions and rates as in the whole network", same,
          rs.stderr[-500:])
    check("a concurrent schedule gives the same sessions as the sequential one",
          rs.returncode == 0 and rc.returncode == 0 and con["schedule"] == "concurrent"
          and [p["session"]["transcript_sha256"] for p in seq["pairs"]] == [p["session"]["transcript_sha256"] for p in con["pairs"]],
          rs.stderr[-300:] + rc.stderr[-300:])

    # --- a pair whose session cannot certify a key: exit 3 ---------------------------------------------
    r, aborted = with_json(network(seq_path, "--session-pulses", "1e8", "--json", "--no-files", "--quiet"))
    check("sessions too short to certify anything abort: exit 3, the reason in the report",
          r.returncode == 3 and aborted is not None and all(p["session"]["outcome"] == "abort" for p in aborted["pairs"])
          and all(p["session"]["bob_failure"] or p["session"]["alice_failure"] for p in aborted["pairs"]),
          r.stderr[-500:] + (json.dumps(aborted["pairs"][0]["session"])[:500] if aborted else r.stdout[-300:]))

    # --- bad input: the file and the element named, exit 2 ----------------------------------------------
    def bad(what, edit, element, says):
        s = load(seq_path)
        edit(s)
        path = write(os.path.join(tmp, "bad.json"), s)
        r = network(path, "--plan", "--no-files", "--quiet")
        check(f"bad input, {what}: exit 2 naming the file and {element}",
              r.returncode == 2 and f"{path}: {element}: " in r.stderr and says in r.stderr, r.stderr)

    bad("unknown chip", lambda s: s["clients"][1].update(chip_profile="no_such_chip"), "clients[1].chip_profile", "unknown chip")
    bad("a pair on a missing channel", lambda s: s["pairs"][1].update(channel=11), "pairs[1].channel", "no channel 11")
    bad("a negative length", lambda s: s["clients"][2].update(upstream_km=-185), "clients[2].upstream_km", "km >= 0")
    bad("a client in two pairs on one channel",
        lambda s: s["pairs"].append({"alice": "A1", "bob": "B2", "channel": 1}), "pairs[2].alice", "already in a pair on channel 1")
    r = network(os.path.join(tmp, "missing.json"))
    check("a missing file: exit 2, named", r.returncode == 2 and "missing.json: cannot open file" in r.stderr, r.stderr)
    with open(os.path.join(tmp, "broken.json"), "w") as f:
        f.write("{\"format\": ")
    r = network(os.path.join(tmp, "broken.json"))
    check("not JSON: exit 2, the byte named", r.returncode == 2 and "not valid JSON" in r.stderr, r.stderr)
    for args, flag in ((["--session-pulses", "1e13"], "--session-pulses"), (["--star", "7"], "--star"),
                       (["--threads", "0"], "--threads"), (["--pulses", "abc"], "--pulses")):
        r = network(*args, "--no-files")
        check(f"bad option {flag}: exit 2, named", r.returncode == 2 and r.stderr.startswith(f"tfqkd network: {flag}: "), r.stderr)

    # --- an output that cannot be written: exit 1 -------------------------------------------------------
    blocker = write(os.path.join(tmp, "a-file"), {})
    r = network(seq_path, "--plan", "--quiet", "--out", os.path.join(blocker, "sub"))
    check("an output directory that cannot be made: exit 1, named", r.returncode == 1 and "a-file" in r.stderr, r.stderr)

finish()
