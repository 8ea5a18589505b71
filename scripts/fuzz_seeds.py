#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets from the wire vector files and the
shipped JSON files.

Every vector input (valid and invalid) becomes a seed file of its target's corpus, named by the
SHA-1 of its contents as libFuzzer names corpus entries: valid inputs lead the fuzzer into every
message's deep structure, invalid ones to the edge of each rule. Dictionaries hold the tokens a
mutator cannot easily guess: the frame magic, type and role bytes, and the spec's boundary values.

The JSON readers' targets (fuzz_chip_profile, fuzz_keyrate_scenario) start from the shipped chip
profiles and the keyrate test inputs, copied byte for byte; their dictionaries hold JSON syntax, the
field names and string values the readers accept, and boundary numbers.

Corpora are added to, never cleared: regression inputs committed next to the seeds (a crash found
once) stay. A seed whose source changed leaves its old version behind; delete it by hand if needed.

Usage: scripts/fuzz_seeds.py  (from anywhere; paths are found from this file)
"""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "protocol" / "tests" / "vectors"
FUZZ = ROOT / "fuzz"

# Boundary values of docs/wire-format.md that appear in many messages, as big-endian tokens.
COMMON_TOKENS = {
    "u32_max_events": (100_000_000).to_bytes(4, "big"),
    "u32_2p24": (1 << 24).to_bytes(4, "big"),
    "u32_2p30": (1 << 30).to_bytes(4, "big"),
    "u32_max": (0xFFFFFFFF).to_bytes(4, "big"),
    "u64_2p48": (1 << 48).to_bytes(8, "big"),
    "u64_2p48_minus_1": ((1 << 48) - 1).to_bytes(8, "big"),
    "varint_overlong_zero": bytes([0x80, 0x00]),
    "varint_2p32": bytes([0x80, 0x80, 0x80, 0x80, 0x10]),
    "f64_one": bytes.fromhex("3ff0000000000000"),
    "f64_negative_zero": bytes.fromhex("8000000000000000"),
    "f64_nan": bytes.fromhex("7ff8000000000000"),
}

# Boundary values of one message's own fields, added to that message's dictionary.
MESSAGE_TOKENS = {
    # bob_zeros and bob_ones (5.8): 0 .. 2^32.
    "aopp_pairing": {
        "u64_2p32": (1 << 32).to_bytes(8, "big"),
        "u64_2p32_plus_1": ((1 << 32) + 1).to_bytes(8, "big"),
    },
}


# The JSON readers: target -> (seed files, the names and string values the reader accepts).
JSON_TARGETS = {
    "fuzz_chip_profile": (
        sorted((ROOT / "hardware_model" / "profiles").glob("*.json")),
        # hardware_model/src/profile.cpp: top level, sections, parameters, units, kinds.
        ["format", "tfqkd-chip-profile/1", "name", "role", "description", "client", "server", "bench",
         "laser", "intensity_modulators", "phase_modulators", "attenuators", "output", "frequency_reference",
         "detectors", "relay", "phase_tracking", "clock", "fibre",
         "kind", "note", "value", "unit", "source", "assumption", "spread", "distribution", "sigma",
         "half_width", "normal", "uniform",
         "wavelength", "free_running_linewidth", "locked_linewidth", "tuning_range", "locking_range", "count",
         "extinction_ratio", "intensity_fluctuation", "insertion_loss", "v_pi", "phase_error",
         "max_attenuation", "loss", "centre_wavelength", "fsr", "line_count", "efficiency", "dark_count_rate",
         "dead_time", "afterpulse_probability", "splitting_ratio", "mode_overlap_extinction_ratio",
         "reference_drift", "differential_drift", "sampling_rate", "reference_click_rate", "drift_variability",
         "drift_correlation_time", "reference_line", "signal_mean_photons", "repetition_rate",
         "detection_window", "jitter",
         "dbr", "dfb", "self_injection_locked", "external_cavity", "mzm", "eam", "electro_optic", "voa",
         "edge_coupler", "grating_coupler", "connector", "microcomb", "reference_laser", "snspd",
         "ingaas_spad", "beam_splitter", "dual_wavelength", "time_multiplexed", "rf_synthesiser",
         "comb_derived", "standard_smf", "ultra_low_loss",
         "1", "%", "dB", "dB/km", "dB/m", "km", "m", "nm", "um", "Hz", "kHz", "MHz", "GHz", "s", "ms", "us",
         "ns", "ps", "rad", "mrad", "deg", "rad/ms", "rad/s", "V", "mV", "index"],
    ),
    "fuzz_keyrate_scenario": (
        sorted((ROOT / "cli" / "tests" / "data").glob("*.json")),
        # hardware_model/src/scenario.cpp: every object's accepted fields and the string values.
        ["description", "protocol", "security", "counts", "reference_link", "ec_efficiency", "clock_hz",
         "simulation", "link", "detector", "misalignment", "phase_noise_rad", "hardware", "seed",
         "family", "aopp", "pulses", "phase_slices", "phase_match_slices", "alice", "bob", "window",
         "intensity", "probability", "sns", "pm", "cal19", "mode_pairing", "z", "x",
         "eps_cor", "eps_pa", "eps_pe", "eps_smooth", "eps_total",
         "distance_km", "attenuation_db_per_km", "arm_loss_alice_db", "arm_loss_bob_db",
         "efficiency", "dark_count_probability",
         "classes", "phase_matched", "key", "sent", "left", "right", "both", "windows", "effective", "errors",
         "ec_leakage_bits", "matched", "bob_zeros", "bob_ones", "pairs",
         "max_pairing_interval", "mode_pairing", "heralded_rounds", "basis",
         "server", "alice_chip", "bob_chip", "wafer_seed", "fibre", "comb_line", "block_seconds", "alice_km",
         "bob_km", "loss_db_per_km", "extra_loss_alice_db", "extra_loss_bob_db",
         "pku_inp_client", "pku_server", "tfln_transmitter", "bench_discrete"],
    ),
}

# JSON syntax and numbers at the edges of the readers' ranges (2^53 is the largest exact count).
JSON_TOKENS = ["{", "}", "[", "]", ":", ",", "{}", "[]", '""', "true", "false", "null", "0", "-0", "-0.0", "1",
               "-1", "0.5", "1e-9", "1e12", "1e308", "1e999", "-1e999", "4.9e-324", "9007199254740992",
               "9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
               "65536", "32768", "100", "10000", "1.0000000001", "\\u0000", "\\ud800", '\\"']


def json_dict_line(token):
    # libFuzzer dictionary strings: backslash and quote escaped, other bytes as they are.
    escaped = token.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"\n'


def write_json_target(target, seeds, names):
    corpus = FUZZ / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    for path in seeds:
        data = path.read_bytes()
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
    lines = ["# Dictionary for " + target + ", written by scripts/fuzz_seeds.py\n"]
    lines += [json_dict_line(t) for t in JSON_TOKENS]
    for n in dict.fromkeys(names):
        lines.append(json_dict_line('"' + n + '"'))
        lines.append(json_dict_line('"' + n + '":'))
    (FUZZ / "dict" / (target + ".dict")).write_text("".join(lines))
    print(f"{target}: {len(seeds)} seeds")


def dict_line(name, token):
    escaped = "".join(f"\\x{b:02x}" for b in token)
    return f'{name}="{escaped}"\n'


def main():
    files = sorted(VECTORS.glob("*.json"))
    if not files:
        raise SystemExit(f"no vector files in {VECTORS}: run scripts/wire_vectors.py first")
    (FUZZ / "dict").mkdir(parents=True, exist_ok=True)
    for path in files:
        doc = json.loads(path.read_text())
        target = "fuzz_" + path.stem
        corpus = FUZZ / "corpus" / target
        corpus.mkdir(parents=True, exist_ok=True)
        # Added to, never cleared: a regression input committed next to the seeds (a crash found
        # once, e.g. fuzz_detection_report's varint shift) must survive a rerun of this script.
        count = 0
        for group in doc["testGroups"]:
            for test in group["tests"]:
                data = bytes.fromhex(test["input"])
                (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
                count += 1
        lines = ["# Dictionary for " + target + ", written by scripts/fuzz_seeds.py\n"]
        lines += [dict_line(k, v) for k, v in COMMON_TOKENS.items()]
        lines += [dict_line(k, v) for k, v in MESSAGE_TOKENS.get(path.stem, {}).items()]
        if path.stem == "frame":
            lines.append(dict_line("magic", b"TFQK"))
            lines.append(dict_line("magic_version", b"TFQK\x01"))
            for t in (0x01, 0x02, 0x10, 0x11, 0x20, 0x21, 0x22, 0x30, 0x31, 0x40, 0x41, 0x42, 0x50, 0x60, 0x70, 0x7F):
                lines.append(dict_line(f"type_{t:02x}", bytes([t])))
            for s, r in ((1, 2), (2, 1), (1, 3), (2, 3), (3, 1), (3, 2)):
                lines.append(dict_line(f"route_{s}{r}", bytes([s, r])))
        (FUZZ / "dict" / (target + ".dict")).write_text("".join(lines))
        print(f"{target}: {count} seeds")
    for target, (seeds, names) in JSON_TARGETS.items():
        write_json_target(target, seeds, names)
    write_differential(files)


# The type byte of each message file (docs/wire-format.md section 5); frames are selected by 0x00.
MESSAGE_TYPES = {
    "session_params": 0x01, "session_params_ack": 0x02, "detection_report": 0x10, "phase_reference_report": 0x11,
    "sifting_announcement": 0x20, "decoy_announcement": 0x21, "estimation_disclosure": 0x22, "aopp_pairing": 0x30,
    "aopp_parity": 0x31, "cascade_parity_query": 0x40, "cascade_parity_reply": 0x41, "ldpc_syndrome": 0x42,
    "verification": 0x50, "privacy_amplification": 0x60, "key_confirmation": 0x70, "abort": 0x7F,
}


def write_differential(files):
    """fuzz_differential (conformance/fuzz/differential_target.cpp): one seed per vector, its selector byte (0x00 for
    a frame, else the message type) before the input; the dictionary is every target's tokens."""
    target = "fuzz_differential"
    corpus = FUZZ / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in files:
        selector = 0 if path.stem == "frame" else MESSAGE_TYPES[path.stem]
        for group in json.loads(path.read_text())["testGroups"]:
            for test in group["tests"]:
                data = bytes([selector]) + bytes.fromhex(test["input"])
                (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
                count += 1
    lines = ["# Dictionary for " + target + ", written by scripts/fuzz_seeds.py: the tokens of every wire target\n"]
    seen = set()
    for path in files:
        for line in (FUZZ / "dict" / ("fuzz_" + path.stem + ".dict")).read_text().splitlines(keepends=True):
            token = line.split("=", 1)[-1]
            if line.startswith("#") or token in seen:
                continue
            seen.add(token)
            lines.append(f"{path.stem}_{line}")
    (FUZZ / "dict" / (target + ".dict")).write_text("".join(lines))
    print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
