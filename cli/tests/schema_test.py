#!/usr/bin/env python3
"""The JSON Schemas of docs/schemas/ against the examples, the outputs and the readers.

Every example file (cli/tests/data/*.json, hardware_model/profiles/*.json) validates against its
schema and is accepted by the reader; the outputs of `tfqkd keyrate --json` (points and sweeps,
predictions and certifications) validate against keyrate-result, those of `tfqkd simulate`
against keyrate-statistics and those of `tfqkd session --json` (a key, an AOPP key, an abort) against
session-report; documents the readers reject (unknown field, value out of range, missing
field, wrong type, ...) are rejected by the schemas too; and documents the schemas accept are
accepted by the readers.

Usage: schema_test.py SCHEMA_DIR PATH_TO_TFQKD
Needs python3-jsonschema (Debian's package, installed by scripts/setup.sh). Prints TAP.
"""
import copy
import glob
import json
import os
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    # Debian's python3-jsonschema lives beside the system interpreter; a python3 found first on the
    # PATH (a pyenv, a venv) may not see it.
    system = "/usr/bin/python3"
    if (os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system)
            and not os.environ.get("TFQKD_SCHEMA_TEST_SYSTEM_PYTHON")):
        os.environ["TFQKD_SCHEMA_TEST_SYSTEM_PYTHON"] = "1"
        os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
    print("Bail out! the jsonschema module is missing: install python3-jsonschema (scripts/setup.sh does)")
    sys.exit(1)

import support

from support import load, with_json, write
from tap import check, finish

SCHEMAS = os.path.abspath(sys.argv[1])
TFQKD = sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(HERE, "data")
PROFILES = os.path.join(ROOT, "hardware_model", "profiles")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

PREDICTION = "keyrate-prediction.schema.json"
STATISTICS = "keyrate-statistics.schema.json"
SCENARIO = "hardware-scenario.schema.json"
RESULT = "keyrate-result.schema.json"
PROFILE = "chip-profile.schema.json"
SESSION = "session-report.schema.json"
SHIM_CONFIG = "shim-config.schema.json"
SHIM_OUTCOME = "shim-outcome.schema.json"


# --- the schemas -------------------------------------------------------------------------------------

schemas = {os.path.basename(p): load(p) for p in sorted(glob.glob(os.path.join(SCHEMAS, "*.schema.json")))}
check("docs/schemas has the six schemas and the shared definitions",
      {PREDICTION, STATISTICS, SCENARIO, RESULT, PROFILE, SESSION, "keyrate-common.schema.json"} <= set(schemas),
      sorted(schemas))

Validator = jsonschema.Draft202012Validator
for name, schema in schemas.items():
    problem = ""
    try:
        Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        problem = str(e)[:600]
    check(f"{name} is a draft 2020-12 schema with $id its file name",
          not problem and schema.get("$schema") == DRAFT and schema.get("$id") == name, problem)


def undescribed(node, where="", conditional=False):
    """Property definitions without a "description" (those inside if/then/else and the alternatives
    of anyOf/oneOf/not only add conditions to properties described elsewhere)."""
    missing = []
    if isinstance(node, dict):
        for key, value in node.items():
            inner = conditional or key in ("if", "then", "else", "not", "anyOf", "oneOf")
            if key == "properties" and isinstance(value, dict) and not inner:
                missing += [f"{where}/{k}" for k, v in value.items() if isinstance(v, dict) and "description" not in v]
            missing += undescribed(value, f"{where}/{key}", inner)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            missing += undescribed(value, f"{where}[{i}]", conditional)
    return missing


for name, schema in schemas.items():
    missing = undescribed(schema)
    check(f"{name}: every property has a description", not missing, missing[:20])


def validator(name):
    """A validator of the schema `name`, resolving references to the other files of docs/schemas."""
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        registry = Registry().with_resources([(n, Resource.from_contents(s)) for n, s in schemas.items()])
        return Validator(schemas[name], registry=registry)
    except (ImportError, TypeError):
        resolver = jsonschema.RefResolver.from_schema(schemas[name], store=dict(schemas))  # jsonschema 4.10
        return Validator(schemas[name], resolver=resolver)


validators = {name: validator(name) for name in schemas}


def errors(name, document):
    """The schema's complaints about `document`, one line each (empty: valid)."""
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message[:200]
            for e in validators[name].iter_errors(document)]


def schema_of(document):
    for key, name in (("link", PREDICTION), ("counts", STATISTICS), ("hardware", SCENARIO)):
        if isinstance(document, dict) and key in document:
            return name
    return None


def run(*args):
    return support.run(TFQKD, *args, timeout=300)


def keyrate(path, *args):
    return with_json(run("keyrate", path, "--json", *args))


# --- document surgery --------------------------------------------------------------------------------

def at(document, path):
    for key in path[:-1]:
        document = document[key]
    return document


def setting(path, value):
    def apply(d):
        at(d, path)[path[-1]] = value
    return apply


def deleting(path):
    def apply(d):
        del at(d, path)[path[-1]]
    return apply


def field_text(path):
    """A JSON path as the readers print it: protocol.alice[2].probability."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else ("." if out else "") + key
    return out


with tempfile.TemporaryDirectory() as tmp:
    # --- the examples: valid, and accepted by the readers ---------------------------------------------
    examples = sorted(glob.glob(os.path.join(DATA, "*.json")))
    check("cli/tests/data has the three kinds of example", {schema_of(load(p)) for p in examples}
          == {PREDICTION, STATISTICS, SCENARIO}, [os.path.basename(p) for p in examples])
    for path in examples:
        document = load(path)
        name = schema_of(document)
        problems = errors(name, document) if name else ["no link, counts or hardware"]
        check(f"{os.path.basename(path)} validates against {name}", not problems, problems)
        r, result = keyrate(path)
        check(f"{os.path.basename(path)} is accepted by the reader (tfqkd keyrate exits 0)", r.returncode == 0, r.stderr)
        check(f"... and its result validates against {RESULT}", result is not None and not errors(RESULT, result),
              errors(RESULT, result)[:10] if result is not None else r.stdout[:300])

    profiles = sorted(glob.glob(os.path.join(PROFILES, "*.json")))
    check("hardware_model/profiles has the shipped profiles", len(profiles) >= 4, profiles)
    pair = load(os.path.join(DATA, "pku_pair.json"))

    def profile_scenario(profile_path, role):
        """A hardware scenario that makes the reader read `profile_path` in its role."""
        d = copy.deepcopy(pair)
        d["hardware"]["fibre"]["loss_db_per_km"] = 0.2  # a server profile's fibre section is optional
        if role in ("client", "bench"):
            d["hardware"]["alice"] = d["hardware"]["bob"] = profile_path
        if role in ("server", "bench"):
            d["hardware"]["server"] = profile_path
            # The clients lock to a line of this server's comb that is not its dual-wavelength
            # reference line: the pair's line if it is one, else the one nearest the centre (a
            # mutant without the sections keeps the pair's line; the reader names what is wrong).
            try:
                server_profile = load(profile_path)
                n = int(server_profile["frequency_reference"]["line_count"]["value"])
                reserved = server_profile["phase_tracking"].get("reference_line", {}).get("value")
                lines = [k for k in range(-(n // 2), n - n // 2) if k != reserved]
                if lines and d["hardware"].get("comb_line", 0) not in lines:
                    d["hardware"]["comb_line"] = min(lines, key=abs)
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
        return write(os.path.join(tmp, "profile_scenario.json"), d)

    for path in profiles:
        document = load(path)
        problems = errors(PROFILE, document)
        check(f"{os.path.basename(path)} validates against {PROFILE}", not problems, problems[:10])
        r, _ = keyrate(profile_scenario(path, document.get("role")))
        check(f"{os.path.basename(path)} is accepted by the reader (as {document.get('role')})", r.returncode == 0, r.stderr)

    # --- the outputs ------------------------------------------------------------------------------------
    prediction = load(os.path.join(DATA, "sns_prediction.json"))
    observed = load(os.path.join(DATA, "sns_observed.json"))
    mp_prediction = load(os.path.join(DATA, "mp_prediction.json"))
    mp_observed = load(os.path.join(DATA, "mp_observed.json"))
    pm_prediction = load(os.path.join(DATA, "pm_prediction.json"))
    arms = copy.deepcopy(prediction)
    arms["link"] = {"arm_loss_alice_db": 25, "arm_loss_bob_db": 35}
    paired = copy.deepcopy(prediction)
    paired["protocol"]["aopp"] = True
    bare = copy.deepcopy(observed)
    del bare["reference_link"], bare["clock_hz"]
    outputs = [
        ("a prediction at one distance", [os.path.join(DATA, "sns_prediction.json"), "--distance", "200"], dict),
        ("a prediction sweep into empty keys", [os.path.join(DATA, "sns_prediction.json"), "--sweep", "0:750:50"], list),
        ("an asymptotic sweep without a clock", [write(os.path.join(tmp, "noclock.json"),
                                                       {k: v for k, v in prediction.items() if k != "clock_hz"}),
                                                 "--asymptotic", "--sweep", "100:600:250"], list),
        ("a prediction in the arm form", [write(os.path.join(tmp, "arms.json"), arms)], dict),
        ("an optimised prediction", [os.path.join(DATA, "sns_prediction.json"), "--distance", "300", "--optimise"], dict),
        ("an AOPP prediction", [write(os.path.join(tmp, "paired.json"), paired), "--distance", "400"], dict),
        ("a certification", [os.path.join(DATA, "sns_observed.json")], dict),
        ("an optimised MP prediction", [os.path.join(DATA, "mp_prediction.json"), "--distance", "300", "--optimise"], dict),
        ("an MP certification", [os.path.join(DATA, "mp_observed.json")], dict),
        ("a certification without a reference link or clock", [write(os.path.join(tmp, "bare.json"), bare)], dict),
        ("a hardware scenario's prediction sweep", [os.path.join(DATA, "pku_pair.json"), "--sweep", "100:500:200"], list),
    ]
    seen = set()
    for what, args, shape in outputs:
        r, result = keyrate(*args)
        problems = errors(RESULT, result) if result is not None else ["not JSON: " + r.stdout[:200]]
        check(f"tfqkd keyrate --json, {what}: exits 0 with {'an array' if shape is list else 'an object'} "
              f"that validates against {RESULT}", r.returncode == 0 and isinstance(result, shape) and not problems,
              r.stderr + "\n".join(problems[:10]))
        for point in (result if isinstance(result, list) else [result]) if result is not None else []:
            seen |= set(point) | {f"breakdown.{k}" for k in point.get("breakdown", {})}
            if point.get("key_length_bits") == 0:
                seen.add("(an empty key)")
            if point.get("plob_per_pulse") is None:
                seen.add("(no PLOB)")
    for field in ("distance_km", "arm_loss_alice_db", "clock_hz", "zero_reason", "optimised", "expected_counts",
                  "breakdown.disclosure_bits", "(an empty key)", "(no PLOB)"):
        check(f"the outputs checked include {field}", field in seen)

    simulations = [
        ("aggregated", [os.path.join(DATA, "pku_pair.json")]),
        ("events", [os.path.join(DATA, "pku_pair.json"), "--fidelity", "events", "--pulses", "1e10",
                    "--events-out", os.path.join(tmp, "events.csv")]),
        ("phase blocks", [write(os.path.join(tmp, "blocks.json"),
                                {**pair, "hardware": {**pair["hardware"], "block_seconds": 1.0}})]),
        ("AOPP", [write(os.path.join(tmp, "pair_aopp.json"), {**pair, "protocol": {**pair["protocol"], "aopp": True}})]),
    ]
    for what, args in simulations:
        r, sim = with_json(run("simulate", *args))
        problems = errors(STATISTICS, sim) if sim is not None else ["not JSON: " + r.stdout[:200]]
        check(f"tfqkd simulate ({what}) writes statistics that validate against {STATISTICS}",
              r.returncode == 0 and not problems, r.stderr + "\n".join(problems[:10]))
        if sim is not None:
            r, cert = keyrate(write(os.path.join(tmp, "sim.json"), sim))
            check(f"... which the reader accepts, and whose certification validates against {RESULT}",
                  r.returncode == 0 and cert is not None and not errors(RESULT, cert), r.stderr)

    # The event stream is the relay's output, before AOPP pairs the key: the events fidelity refuses
    # AOPP rather than write statistics without counts.aopp.
    r = run("simulate", os.path.join(tmp, "pair_aopp.json"), "--fidelity", "events", "--pulses", "1e10")
    check("tfqkd simulate --fidelity events refuses AOPP (exit 2, naming the flag)",
          r.returncode == 2 and "--fidelity events" in r.stderr, r.stderr)

    # --- tfqkd session --json ---------------------------------------------------------------------------
    # Small blocks, a few seconds in all: CAL19 with a key, SNS with AOPP and a key, and CAL19 at 300 km,
    # which aborts (no_key) after sifting.
    sessions = {}
    for what, args, status in [
        ("a CAL19 key", ["--example", "cal19", "--pulses", "5e7", "--distance", "30"], 0),
        ("an SNS-AOPP key", ["--example", "sns-aopp", "--pulses", "3e9", "--distance", "300"], 0),
        ("a CAL19 abort", ["--example", "cal19", "--pulses", "1e7", "--distance", "300"], 3),
    ]:
        r, report = with_json(run("session", *args, "--json"))
        problems = errors(SESSION, report) if report is not None else ["not JSON: " + r.stdout[:200]]
        check(f"tfqkd session --json, {what}: exits {status} with a report that validates against {SESSION}",
              r.returncode == status and not problems, f"exit {r.returncode}: {r.stderr}\n" + "\n".join(problems[:10]))
        sessions[what] = report
    key, paired_key, aborted = (sessions[w] for w in ("a CAL19 key", "an SNS-AOPP key", "a CAL19 abort"))
    check("the session reports checked include a key, an abort, AOPP counts, certified counts and a failure",
          key is not None and paired_key is not None and aborted is not None
          and key.get("outcome") == "key" and "counts" in key and "certified" in key
          and "aopp" in paired_key and "aopp" in paired_key.get("counts", {})
          and aborted.get("outcome") == "abort" and (aborted.get("alice") or {}).get("failure", {}).get("reason") == "no_key")

    def session_rejects(what, base, mutate):
        if base is None:
            check(f"{SESSION}: {what}: rejected", False, "no report to mutate")
            return
        d = copy.deepcopy(base)
        try:
            mutate(d)
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            check(f"{SESSION}: {what}: rejected", False, f"the report lacks what the mutation changes: {e!r}")
            return
        check(f"{SESSION}: {what}: rejected", bool(errors(SESSION, d)))

    def key_without(party):
        def apply(d):
            del d[party]["key"]
        return apply
    for base, what, mutate in [
        (key, "an unknown top-level field", setting(["peak_memory"], 1)),
        (key, "a misspelt field in a party's key", setting(["alice", "key", "sha"], "")),
        (key, "a state that is not a party state", setting(["bob", "state"], "finished")),
        (aborted, "an abort reason that is not a reason", setting(["alice", "failure", "reason"], "gave_up")),
        (aborted, "a failure without its detail", deleting(["bob", "failure", "detail"])),
        (key, "a key's sha256 of 63 hex digits", setting(["alice", "key", "sha256"], "0" * 63)),
        (key, "a key's sha256 with a digit that is not hex", setting(["bob", "key", "sha256"], "g" * 64)),
        (key, "a transcript_sha256 in upper case", setting(["transcript_sha256"], "A" * 64)),
        (key, "outcome \"key\" without alice.key", key_without("alice")),
        (key, "outcome \"key\" with keys_equal false", setting(["keys_equal"], False)),
        (aborted, "outcome \"abort\" with keys_equal true", setting(["keys_equal"], True)),
        (aborted, "key metadata on an aborted party", lambda d: d["alice"].update(key=key["alice"]["key"])),
        (key, "aopp without protocol.aopp", setting(["aopp"], {"bob_zeros": 1, "bob_ones": 1, "pairs": 1})),
        (paired_key, "protocol.aopp without aopp", deleting(["aopp"])),
        (key, "a transport that is not one", setting(["transport"], "carrier_pigeon")),
        (key, "a stage that is not one", setting(["stages", 0, "stage"], "coffee")),
    ]:
        session_rejects(what, base, mutate)

    # --- rejected by the reader and by the schema -------------------------------------------------------
    def both_reject(what, base, mutate, field, name=None):
        d = copy.deepcopy(base)
        mutate(d)
        name = name or schema_of(base)
        r, _ = keyrate(write(os.path.join(tmp, "mutant.json"), d))
        reader = r.returncode == 2 and field in r.stderr
        schema = bool(errors(name, d))
        check(f"{what}: rejected by the reader (exit 2, naming {field}) and by {name}", reader and schema,
              f"reader: exit {r.returncode}: {r.stderr.strip()}\nschema rejects: {schema}")

    cases = [
        (prediction, "unknown top-level field", setting(["detectr"], {}), "detectr"),
        (prediction, "misspelt protocol field", setting(["protocol", "alise"], []), "protocol.alise"),
        (prediction, "unknown detector field", setting(["detector", "jitter"], 1), "detector.jitter"),
        (prediction, "probability above 1", setting(["protocol", "alice", 2, "probability"], 1.3), "protocol.alice[2].probability"),
        (prediction, "probability 0", setting(["protocol", "alice", 2, "probability"], 0), "protocol.alice[2].probability"),
        (prediction, "intensity above 100", setting(["protocol", "alice", 0, "intensity"], 101), "protocol.alice[0].intensity"),
        (prediction, "window neither z nor x", setting(["protocol", "alice", 0, "window"], "y"), "protocol.alice[0].window"),
        (prediction, "no settings", setting(["protocol", "alice"], []), "protocol.alice"),
        (prediction, "family bb84", setting(["protocol", "family"], "bb84"), "protocol.family"),
        (prediction, "pulses a string", setting(["protocol", "pulses"], "1e13"), "protocol.pulses"),
        (prediction, "pulses a fraction", setting(["protocol", "pulses"], 12.5), "protocol.pulses"),
        (prediction, "pulses 0", setting(["protocol", "pulses"], 0), "protocol.pulses"),
        (prediction, "pulses above 2^53", setting(["protocol", "pulses"], 1e16), "protocol.pulses"),
        (prediction, "phase_slices 0", setting(["protocol", "phase_slices"], 0), "protocol.phase_slices"),
        (prediction, "aopp a string", setting(["protocol", "aopp"], "false"), "protocol.aopp"),
        (prediction, "missing protocol.pulses", deleting(["protocol", "pulses"]), "protocol.pulses"),
        (prediction, "missing misalignment", deleting(["misalignment"]), "misalignment"),
        (prediction, "missing detector efficiency", deleting(["detector", "efficiency"]), "detector.efficiency"),
        (prediction, "eps_cor 1", setting(["security", "eps_cor"], 1), "security.eps_cor"),
        (prediction, "security an array", setting(["security"], []), "security"),
        (prediction, "dark-count probability 1", setting(["detector", "dark_count_probability"], 1), "detector.dark_count_probability"),
        (prediction, "efficiency 0", setting(["detector", "efficiency"], 0), "detector.efficiency"),
        (prediction, "misalignment above 0.5", setting(["misalignment"], 0.6), "misalignment"),
        (prediction, "phase noise above pi", setting(["phase_noise_rad"], 3.2), "phase_noise_rad"),
        (prediction, "ec_efficiency below 1", setting(["ec_efficiency"], 0.9), "ec_efficiency"),
        (prediction, "clock_hz 0", setting(["clock_hz"], 0), "clock_hz"),
        (prediction, "negative distance", setting(["link", "distance_km"], -5), "link.distance_km"),
        (prediction, "attenuation 0", setting(["link", "attenuation_db_per_km"], 0), "link.attenuation_db_per_km"),
        (prediction, "both link forms", setting(["link", "arm_loss_alice_db"], 10), "link"),
        (prediction, "one arm loss only", setting(["link"], {"arm_loss_alice_db": 10}), "link.arm_loss_bob_db"),
        (prediction, "description a number", setting(["description"], 5), "description"),
        (prediction, "a seed in a prediction", setting(["seed"], 1), "seed"),
        (observed, "a negative count", setting(["counts", "classes", 0, "left"], -1), "counts.classes[0].left"),
        (observed, "a fractional count", setting(["counts", "classes", 0, "sent"], 12.5), "counts.classes[0].sent"),
        (observed, "a count as a string", setting(["counts", "key", "errors"], "many"), "counts.key.errors"),
        (observed, "unknown class field", setting(["counts", "classes", 0, "none"], 0), "counts.classes[0].none"),
        (observed, "missing counts.key", deleting(["counts", "key"]), "counts.key"),
        (observed, "missing class sent", deleting(["counts", "classes", 0, "sent"]), "counts.classes[0].sent"),
        (observed, "missing phase_matched.errors", deleting(["counts", "phase_matched", "errors"]), "counts.phase_matched.errors"),
        (observed, "classes an object", setting(["counts", "classes"], {}), "counts.classes"),
        (observed, "counts.aopp without protocol.aopp", setting(["counts", "aopp"], {"bob_zeros": 1, "bob_ones": 1, "pairs": 1}), "counts.aopp"),
        (observed, "protocol.aopp without counts.aopp", setting(["protocol", "aopp"], True), "counts.aopp"),
        (observed, "simulation not an object", setting(["simulation"], 5), "simulation"),
        (observed, "a link in a statistics file", setting(["link"], {"distance_km": 1}), "gives more than one"),
        (observed, "detector in a statistics file", setting(["detector"], {}), "detector"),
        (observed, "negative reference distance", setting(["reference_link", "distance_km"], -1), "reference_link.distance_km"),
        (mp_prediction, "mode_pairing without max_pairing_interval", deleting(["protocol", "max_pairing_interval"]),
         "protocol.max_pairing_interval"),
        (pm_prediction, "max_pairing_interval for pm", setting(["protocol", "max_pairing_interval"], 10),
         "protocol.max_pairing_interval"),
        (mp_prediction, "max_pairing_interval 0", setting(["protocol", "max_pairing_interval"], 0),
         "protocol.max_pairing_interval"),
        (mp_observed, "pair basis neither z nor x", setting(["counts", "mode_pairing", "classes", 0, "basis"], "y"),
         "counts.mode_pairing.classes[0].basis"),
        (mp_observed, "missing mode_pairing.pairs", deleting(["counts", "mode_pairing", "pairs"]), "counts.mode_pairing.pairs"),
        (mp_observed, "a negative pair count", setting(["counts", "mode_pairing", "classes", 1, "pairs"], -1),
         "counts.mode_pairing.classes[1].pairs"),
        (mp_observed, "unknown pair class field", setting(["counts", "mode_pairing", "classes", 1, "kind"], "z"),
         "counts.mode_pairing.classes[1].kind"),
        (pair, "unknown hardware field", setting(["hardware", "fibr"], {}), "hardware.fibr"),
        (pair, "empty server name", setting(["hardware", "server"], ""), "hardware.server"),
        (pair, "server a number", setting(["hardware", "server"], 1), "hardware.server"),
        (pair, "missing hardware.fibre", deleting(["hardware", "fibre"]), "hardware.fibre"),
        (pair, "missing fibre.bob_km", deleting(["hardware", "fibre", "bob_km"]), "hardware.fibre.bob_km"),
        (pair, "negative fibre", setting(["hardware", "fibre", "alice_km"], -1), "hardware.fibre.alice_km"),
        (pair, "fibre loss 0", setting(["hardware", "fibre", "loss_db_per_km"], 0), "hardware.fibre.loss_db_per_km"),
        (pair, "fractional comb line", setting(["hardware", "comb_line"], 0.5), "hardware.comb_line"),
        (pair, "comb line beyond 10000", setting(["hardware", "comb_line"], 10001), "hardware.comb_line"),
        (pair, "negative chip", setting(["hardware", "alice_chip"], -1), "hardware.alice_chip"),
        (pair, "block_seconds 0", setting(["hardware", "block_seconds"], 0), "hardware.block_seconds"),
        (pair, "negative seed", setting(["seed"], -1), "seed"),
        (pair, "a detector in a hardware scenario", setting(["detector"], {}), "detector"),
    ]
    for base, what, mutate, field in cases:
        both_reject(f"{schema_of(base)}: {what}", base, mutate, field)
    check("the top level must be an object, for the reader and every input schema",
          run("keyrate", write(os.path.join(tmp, "array.json"), [prediction]), "--json").returncode == 2
          and all(errors(n, [prediction]) for n in (PREDICTION, STATISTICS, SCENARIO)))

    # Profiles: the reader reads them through a hardware scenario naming the mutated file.
    server = load(os.path.join(PROFILES, "pku_server.json"))
    client = load(os.path.join(PROFILES, "pku_inp_client.json"))
    bench = load(os.path.join(PROFILES, "bench_discrete.json"))
    wl = ["laser", "wavelength"]
    line = ["phase_tracking", "reference_line"]

    def renaming(section, to, key):
        def apply(d):
            d[section][to] = d[section].pop(key)
        return apply
    profile_cases = [
        (client, "unknown section", setting(["detector"], {}), "detector"),
        (client, "a server section in a client", setting(["clock"], server["clock"]), "clock"),
        (client, "fibre in a client", setting(["fibre"], server["fibre"]), "fibre"),
        (server, "missing section", deleting(["relay"]), "relay"),
        (client, "unknown parameter", setting(["laser", "colour"], {}), "laser.colour"),
        (client, "unknown parameter field", setting(wl + ["error"], 1), "laser.wavelength.error"),
        (client, "unknown kind", setting(["laser", "kind"], "vcsel"), "laser.kind"),
        (client, "missing kind", deleting(["laser", "kind"]), "laser.kind"),
        (client, "wrong format", setting(["format"], "tfqkd-chip-profile/2"), "format"),
        (client, "unknown role", setting(["role"], "relay"), "role"),
        (client, "missing name", deleting(["name"]), "name"),
        (client, "missing parameter", deleting(["laser", "locking_range"]), "laser.locking_range"),
        (client, "missing value", deleting(wl + ["value"]), "laser.wavelength.value"),
        (client, "value a string", setting(wl + ["value"], "1550"), "laser.wavelength.value"),
        (client, "unknown unit", setting(wl + ["unit"], "Nm"), "laser.wavelength.unit"),
        (client, "unit of the wrong dimension", setting(wl + ["unit"], "dB"), "laser.wavelength.unit"),
        (client, "wavelength below 400 nm", setting(wl + ["value"], 399), "laser.wavelength.value"),
        (client, "wavelength of 3 um", lambda d: d["laser"]["wavelength"].update(value=3, unit="um"), "laser.wavelength.value"),
        (server, "efficiency above 1", setting(["detectors", "efficiency", "value"], 1.3), "detectors.efficiency.value"),
        (server, "efficiency of 130 %", lambda d: d["detectors"]["efficiency"].update(value=130, unit="%"), "detectors.efficiency.value"),
        (server, "dark counts of 1 GHz", lambda d: d["detectors"]["dark_count_rate"].update(value=1, unit="GHz"),
         "detectors.dark_count_rate.value"),
        (server, "one detector", setting(["detectors", "count", "value"], 1), "detectors.count.value"),
        (client, "fractional count", setting(["intensity_modulators", "count", "value"], 2.5), "intensity_modulators.count.value"),
        (client, "spread on a count", setting(["intensity_modulators", "count", "spread"],
                                              {"distribution": "normal", "sigma": 1, "assumption": "x"}),
         "intensity_modulators.count.spread"),
        (client, "no provenance", deleting(wl + ["assumption"]), "laser.wavelength"),
        (client, "both provenances", setting(wl + ["source"], "a paper"), "laser.wavelength"),
        (client, "blank provenance", setting(wl + ["assumption"], " \t "), "laser.wavelength.assumption"),
        (client, "provenance of line breaks only", setting(wl + ["assumption"], "\n\r\n\f\v "), "laser.wavelength.assumption"),
        (client, "unknown distribution", setting(wl + ["spread", "distribution"], "cauchy"), "laser.wavelength.spread.distribution"),
        (client, "normal spread with half_width", setting(wl + ["spread", "half_width"], 0.1), "laser.wavelength.spread.half_width"),
        (client, "negative sigma", setting(wl + ["spread", "sigma"], -0.1), "laser.wavelength.spread.sigma"),
        (client, "spread without provenance", deleting(wl + ["spread", "assumption"]), "laser.wavelength.spread"),
        (client, "note a number", setting(["laser", "note"], 1), "laser.note"),
        (client, "missing tuning range", deleting(["laser", "tuning_range"]), "laser.tuning_range"),
        (client, "negative tuning range", setting(["laser", "tuning_range", "value"], -1), "laser.tuning_range.value"),
        (server, "the old name interference_extinction_ratio",
         renaming("relay", "interference_extinction_ratio", "mode_overlap_extinction_ratio"), "relay.interference_extinction_ratio"),
        (server, "mode-overlap extinction ratio 0 dB", setting(["relay", "mode_overlap_extinction_ratio", "value"], 0),
         "relay.mode_overlap_extinction_ratio.value"),
        (server, "the retired estimation_noise", setting(["phase_tracking", "estimation_noise"],
                                                         {"value": 0.05, "unit": "rad", "assumption": "x"}), "phase_tracking.estimation_noise"),
        (server, "the retired calibration_interval", setting(["phase_tracking", "calibration_interval"],
                                                             {"value": 1, "unit": "ms", "assumption": "x"}), "phase_tracking.calibration_interval"),
        (server, "missing reference click rate", deleting(["phase_tracking", "reference_click_rate"]), "phase_tracking.reference_click_rate"),
        (server, "reference click rate 0", setting(["phase_tracking", "reference_click_rate", "value"], 0),
         "phase_tracking.reference_click_rate.value"),
        (server, "reference click rate above 1 THz", lambda d: d["phase_tracking"]["reference_click_rate"].update(value=1001, unit="GHz"),
         "phase_tracking.reference_click_rate.value"),
        (server, "dual wavelength without a reference line", deleting(line), "phase_tracking.reference_line"),
        (server, "dual wavelength without signal_mean_photons", deleting(["phase_tracking", "signal_mean_photons"]),
         "phase_tracking.signal_mean_photons"),
        (server, "fractional reference line", setting(line + ["value"], 0.5), "phase_tracking.reference_line.value"),
        (server, "reference line beyond 100000", setting(line + ["value"], 100001), "phase_tracking.reference_line.value"),
        (server, "reference line in a count unit", setting(line + ["unit"], "count"), "phase_tracking.reference_line.unit"),
        (server, "spread on a reference line", setting(line + ["spread"], {"distribution": "normal", "sigma": 1, "assumption": "x"}),
         "phase_tracking.reference_line.spread"),
        (server, "signal_mean_photons 0", setting(["phase_tracking", "signal_mean_photons", "value"], 0),
         "phase_tracking.signal_mean_photons.value"),
        (server, "signal_mean_photons above 100", setting(["phase_tracking", "signal_mean_photons", "value"], 101),
         "phase_tracking.signal_mean_photons.value"),
        (bench, "a reference line on a time-multiplexed tracker", setting(line, server["phase_tracking"]["reference_line"]),
         "phase_tracking.reference_line"),
        (bench, "signal_mean_photons on a time-multiplexed tracker", setting(["phase_tracking", "signal_mean_photons"],
                                                                            server["phase_tracking"]["signal_mean_photons"]),
         "phase_tracking.signal_mean_photons"),
        (bench, "a differential drift on a time-multiplexed tracker", setting(["phase_tracking", "differential_drift", "value"], 0.005),
         "phase_tracking.differential_drift.value"),
    ]
    for base, what, mutate, field in profile_cases:
        d = copy.deepcopy(base)
        mutate(d)
        path = write(os.path.join(tmp, "mutant_profile.json"), d)
        r, _ = keyrate(profile_scenario(path, base["role"]))
        reader = r.returncode == 2 and f"mutant_profile.json: {field}" in r.stderr
        schema = bool(errors(PROFILE, d))
        check(f"{PROFILE}: {what}: rejected by the reader (exit 2, naming {field}) and by the schema", reader and schema,
              f"reader: exit {r.returncode}: {r.stderr.strip()}\nschema rejects: {schema}")

    # --- accepted by the schema and by the reader -------------------------------------------------------
    def both_accept(what, base, mutate, *args, name=None, profile_role=None):
        d = copy.deepcopy(base)
        mutate(d)
        if profile_role:
            name = PROFILE
            r, _ = keyrate(profile_scenario(write(os.path.join(tmp, "variant_profile.json"), d), profile_role), *args)
        else:
            name = name or schema_of(base)
            r, _ = keyrate(write(os.path.join(tmp, "variant.json"), d), *args)
        problems = errors(name, d)
        check(f"{name}: {what}: accepted by the schema and by the reader", not problems and r.returncode == 0,
              f"reader: exit {r.returncode}: {r.stderr.strip()}\nschema: {problems[:5]}")

    def drop(*keys):
        def apply(d):
            for k in keys:
                d.pop(k, None)
        return apply

    accepts = [
        (prediction, "only the required fields, and a budget", lambda d: [d.pop(k) for k in
                                                                          ("description", "phase_noise_rad", "ec_efficiency", "clock_hz")]
         and [d["protocol"].pop(k) for k in ("aopp", "phase_slices", "phase_match_slices")], []),
        (prediction, "pulses as a JSON integer", setting(["protocol", "pulses"], 10 ** 13), []),
        (prediction, "bob given, equal to alice", lambda d: d["protocol"].update(bob=d["protocol"]["alice"]), []),
        (prediction, "an empty link and --distance", setting(["link"], {}), ["--distance", "100"]),
        (prediction, "the arm form", setting(["link"], {"arm_loss_alice_db": 0, "arm_loss_bob_db": 20}), []),
        (prediction, "the ends of the ranges", lambda d: d.update(misalignment=0.5, phase_noise_rad=3.141592653589793,
                                                                  ec_efficiency=1, detector={"efficiency": 1, "dark_count_probability": 0}), []),
        (prediction, "phase_match_slices 7 of 16", setting(["protocol", "phase_match_slices"], 7), []),
        (observed, "counts as floats with no fraction, both omitted", lambda d: [c.pop("both") for c in d["counts"]["classes"]]
         and d["counts"]["classes"][0].update(sent=1.44e11), []),
        (observed, "no leakage, no description, a simulation object", lambda d: d["counts"]["key"].pop("ec_leakage_bits")
         and d.pop("description") and d.update(simulation={"anything": [1, 2]}), []),
        (observed, "a reference link in the arm form", setting(["reference_link"], {"arm_loss_alice_db": 30, "arm_loss_bob_db": 30}), []),
        (pair, "every optional hardware field", lambda d: d["hardware"].update(
            comb_line=-1, wafer_seed=0, alice_chip=2 ** 53, fibre={"alice_km": 0, "bob_km": 185, "loss_db_per_km": 0.18,
                                                                  "extra_loss_alice_db": 0, "extra_loss_bob_db": 1.5})
         or d.update(seed=2 ** 53, clock_hz=1e9), []),
        (pair, "only the required fields", lambda d: [d["hardware"].pop(k) for k in ("alice_chip", "bob_chip", "wafer_seed")]
         and [d.pop(k) for k in ("seed", "ec_efficiency", "description")], []),
    ]
    for base, what, mutate, args in accepts:
        both_accept(what, base, mutate, *args)
    profile_accepts = [
        (client, "a wavelength in um and a uniform spread", lambda d: d["laser"]["wavelength"].update(
            value=1.54978, unit="um", spread={"distribution": "uniform", "half_width": 0.0001, "source": "x"}), "client"),
        (client, "a note on every level", lambda d: d["laser"].update(note="n") or d["laser"]["wavelength"].update(note="n")
         or d["laser"]["wavelength"]["spread"].update(note="n"), "client"),
        (server, "an efficiency of 100 % and no fibre", lambda d: d["detectors"]["efficiency"].update(value=100, unit="%")
         or d.pop("fibre"), "server"),
        (server, "a clock in GHz at its upper end, jitter in ps", lambda d: d["clock"]["repetition_rate"].update(value=1, unit="GHz")
         or d["clock"]["jitter"].update(value=1e6, unit="ps") or d["clock"]["detection_window"].update(value=1, unit="ns"),
         "server"),
        (bench, "a bench as client and server", lambda d: None, "bench"),
        (bench, "a time-multiplexed tracker's zero differential drift in rad/s",
         lambda d: d["phase_tracking"]["differential_drift"].update(value=0, unit="rad/s"), "bench"),
        (server, "a reference line at the comb's lower end, signal photons in %, a click rate in kHz",
         lambda d: d["phase_tracking"]["reference_line"].update(value=-5)
         or d["phase_tracking"]["signal_mean_photons"].update(value=5, unit="%")
         or d["phase_tracking"]["reference_click_rate"].update(value=4000, unit="kHz"), "server"),
        (client, "a tuning range in MHz and provenance framed by line breaks",
         lambda d: d["laser"]["tuning_range"].update(value=300000, unit="MHz", assumption="\nassumed\n"), "client"),
    ]
    for base, what, mutate, role in profile_accepts:
        both_accept(what, base, mutate, profile_role=role)

    # A reference line outside the comb is a cross-field rule (against frequency_reference.line_count)
    # the schema cannot state; its description says the reader checks it.
    outside = copy.deepcopy(server)
    outside["phase_tracking"]["reference_line"]["value"] = 6  # pku_server's 11 lines are -5 ... 5
    r, _ = keyrate(profile_scenario(write(os.path.join(tmp, "outside_profile.json"), outside), "server"))
    check(f"{PROFILE}: a reference line outside the comb: rejected by the reader (exit 2, naming "
          "phase_tracking.reference_line.value), accepted by the schema, whose description names the rule",
          r.returncode == 2 and "outside_profile.json: phase_tracking.reference_line.value" in r.stderr
          and not errors(PROFILE, outside) and "reference line outside the comb" in schemas[PROFILE]["description"],
          f"reader: exit {r.returncode}: {r.stderr.strip()}\nschema: {errors(PROFILE, outside)[:5]}")

    # --- tfqkd network: the scenario and the report --------------------------------------------------
    # The default written out, a 2-pair run (sessions of 10^11 pulses, a few seconds) and a plan.
    NET_SCENARIO, NET_REPORT = "network-scenario.schema.json", "network-report.schema.json"
    default_path = os.path.join(tmp, "network_default.json")
    r = run("network", "--plan", "--no-files", "--quiet", "--write-scenario", default_path)
    net_default = load(default_path) if r.returncode == 0 else None
    check(f"the default network scenario validates against {NET_SCENARIO}",
          net_default is not None and not errors(NET_SCENARIO, net_default),
          r.stderr + "\n".join(errors(NET_SCENARIO, net_default)[:10] if net_default else []))
    if net_default is not None:
        small = copy.deepcopy(net_default)
        small["clients"], small["pairs"] = small["clients"][:4], small["pairs"][:2]
        small_path = write(os.path.join(tmp, "network_small.json"), small)
        for what, args, mode in [("a run", ["--session-pulses", "1e11"], "run"), ("a plan", ["--plan"], "plan"),
                                 ("a 40-user star plan", ["--plan", "--star", "40"], "plan")]:
            source = [] if "--star" in args else [small_path]
            r, report = with_json(run("network", *source, *args, "--json", "--no-files", "--quiet"))
            problems = errors(NET_REPORT, report) if report is not None else ["not JSON: " + r.stdout[:200]]
            check(f"tfqkd network --json, {what}: a {mode} report that validates against {NET_REPORT}",
                  r.returncode == 0 and not problems and report.get("mode") == mode,
                  f"exit {r.returncode}: {r.stderr[-300:]}\n" + "\n".join(problems[:10]))
        # Documents the reader rejects are rejected by the schema too.
        for what, mutate in [("an unknown field", setting(["clients", 0, "colour"], "red")),
                             ("a negative length", setting(["clients", 1, "upstream_km"], -1)),
                             ("a schedule that is not one", setting(["schedule"], "whenever")),
                             ("a pair without its channel", deleting(["pairs", 0, "channel"])),
                             ("a channel 0", setting(["pairs", 0, "channel"], 0)),
                             ("a wrong format", setting(["format"], "tfqkd-network/2"))]:
            d = copy.deepcopy(small)
            mutate(d)
            r = run("network", write(os.path.join(tmp, "network_bad.json"), d), "--plan", "--no-files", "--quiet")
            check(f"{NET_SCENARIO}: {what}: rejected by the reader (exit 2) and the schema",
                  r.returncode == 2 and bool(errors(NET_SCENARIO, d)), r.stderr)
# --- conformance: the vector files, the report and the disabled-tests file ----------------------------

WIRE_VECTORS = "wire-vectors.schema.json"
PRIMITIVE_VECTORS = "primitive-vectors.schema.json"
REPORT = "conformance-report.schema.json"
DISABLED = "conformance-disabled.schema.json"
for path in sorted(glob.glob(os.path.join(ROOT, "protocol", "tests", "vectors", "*.json"))):
    problems = errors(WIRE_VECTORS, load(path))
    check(f"{WIRE_VECTORS}: {os.path.basename(path)} is valid", not problems, problems[:5])
for path in sorted(glob.glob(os.path.join(ROOT, "conformance", "vectors", "*.json"))):
    problems = errors(PRIMITIVE_VECTORS, load(path))
    check(f"{PRIMITIVE_VECTORS}: {os.path.basename(path)} is valid", not problems, problems[:5])
reference = os.environ.get("TFQKD_CONFORMANCE_REFERENCE")
if reference:
    for library in [reference] + [p for p in os.environ.get("TFQKD_CONFORMANCE_MUTANTS", "").split(os.pathsep) if p]:
        # A short call limit: the hanging mutant would otherwise cost the default 10 s.
        r, report = with_json(run("conformance", "--library", library, "--timeout", "0.3", "--json", "-"))
        problems = errors(REPORT, report) if report is not None else ["no JSON on standard output"]
        check(f"{REPORT}: the report on {os.path.basename(library)} is valid", not problems, problems[:5] + [r.stderr[-300:]])
shim = os.environ.get("TFQKD_REFERENCE_SHIM")
if shim:
    # The shim contract's files, as the harness writes them (configs) and the reference shim does
    # (outcomes: keys and aborts), with a live report.
    with tempfile.TemporaryDirectory() as tmp:
        r, report = with_json(run("conformance", "--shim", shim, "--only", "live.alice.honest.sns-aopp", "--only",
                                  "live.charlie.honest.sns-aopp", "--only", "live.bob.network.tamper-tag",
                                  "--work-dir", tmp, "--json", "-"))
        problems = errors(REPORT, report) if report is not None else ["no JSON on standard output"]
        check(f"{REPORT}: a live report is valid", not problems, problems[:5] + [r.stderr[-300:]])
        files = sorted(glob.glob(os.path.join(tmp, "*", "*.json")))
        check("the live tests kept their config and outcome files", len(files) == 6, files)
        for path in files:
            kind = SHIM_CONFIG if path.endswith(".config.json") else SHIM_OUTCOME
            document = load(path)
            problems = errors(kind, document)
            check(f"{kind}: {os.path.relpath(path, tmp)} is valid", not problems, problems[:5])
        outcome = load(os.path.join(tmp, "live.alice.honest.sns-aopp", "alice.outcome.json"))
        aborted = load(os.path.join(tmp, "live.bob.network.tamper-tag", "bob.outcome.json"))
        check(f"{SHIM_OUTCOME}: a key and an abort were among them", outcome["state"] == "done" and aborted["state"] == "aborted")
        for what, document in [("a done party without its key's sha256", {**outcome, "key": {k: v for k, v in outcome["key"].items() if k != "sha256"}}),
                               ("an aborted party with a key", {**aborted, "key": outcome["key"]}),
                               ("an unknown abort reason", {**aborted, "abort": {"reason": "sorry"}})]:
            check(f"{SHIM_OUTCOME}: {what}: rejected", errors(SHIM_OUTCOME, document))
        config = load(os.path.join(tmp, "live.alice.honest.sns-aopp", "alice.config.json"))
        for what, document in [("Alice without pools", {k: v for k, v in config.items() if k != "pools"}),
                               ("another format", {**config, "format": "tfqkd-shim-config/2"})]:
            check(f"{SHIM_CONFIG}: {what}: rejected", errors(SHIM_CONFIG, document))

with tempfile.TemporaryDirectory() as tmp:
    good = {"description": "x", "disabled": [{"id": "wire.frame.11", "reason": "r"}, {"id": "primitive.toeplitz.*", "reason": "r"}]}
    check(f"{DISABLED}: a file with an id and a pattern is valid", not errors(DISABLED, good), errors(DISABLED, good))
    bad_files = [
        ("no reason", {"disabled": [{"id": "wire.frame.11"}]}),
        ("an empty reason", {"disabled": [{"id": "wire.frame.11", "reason": ""}]}),
        ("a star inside the id", {"disabled": [{"id": "wire.*.11", "reason": "r"}]}),
        ("an unknown field", {"disabled": [], "extra": 1}),
    ]
    for what, document in bad_files:
        path = write(os.path.join(tmp, "disabled.json"), document)
        rejected_by_reader = True
        if reference:
            r = run("conformance", "--library", reference, "--disable", path)
            rejected_by_reader = r.returncode == 2 and "disabled.json" in r.stderr
        check(f"{DISABLED}: {what}: rejected by the schema and the reader",
              errors(DISABLED, document) and rejected_by_reader, errors(DISABLED, document))

finish()
