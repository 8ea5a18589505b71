#!/usr/bin/env python3
"""Independent encoder of the tfqkd wire format, version 1, and generator of its test vectors.

Written only from the normative spec docs/wire-format.md, deliberately without reference to the C++
codecs under protocol/, so that the vector files cross-check them (spec section 7).

For every message type of section 5 this script writes protocol/tests/vectors/<message>.json, and
for whole frames (section 3) frame.json, in the Wycheproof-style format of sections 7 and 7.1:

  * valid cases carry "decoded" (the 7.1 form) and "input" = encode(decoded), as hex;
  * invalid cases carry "input" and "error" = the FIRST violation a decoder meets when it checks each
    field as read in table order, then that the input was consumed exactly (field ""), then the
    cross-field rules in listed order (WF-ENC-8).  Each invalid input is built by hand from the
    field encodings of a valid message, changing one field, so that (where possible) it contains
    exactly one violation; the expected error is stated from the spec, not computed by a decoder.

Usage: scripts/wire_vectors.py [--out DIR]     (default: <repo>/protocol/tests/vectors)

Python 3 standard library only; the output is deterministic (no randomness at all).
"""

import argparse
import copy
import hashlib
import json
import math
import struct
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "protocol" / "tests" / "vectors"
SPEC = "docs/wire-format.md"

# ---------------------------------------------------------------------------------------------------
# Error codes (section 6) and case flags
# ---------------------------------------------------------------------------------------------------

TRUNCATED = "truncated"
TRAILING = "trailing_data"
OUT_OF_RANGE = "out_of_range"
NON_CANONICAL = "non_canonical"
BAD_MAGIC = "bad_magic"
UNSUPPORTED_VERSION = "unsupported_version"
UNKNOWN_TYPE = "unknown_type"
INVALID_VALUE = "invalid_value"
BAD_ROUTE = "bad_route"
INCONSISTENT = "inconsistent"

# The fixed flag vocabulary; each file's "notes" documents the flags it uses (as Wycheproof does).
FLAGS = {
    "Minimal": "A smallest valid message: empty (or, where a list must not be empty, one-element) "
               "lists and the smallest counts.",
    "Typical": "A message as the protocol would send it in a normal session.",
    "Boundary": "Values at the minima/maxima of their bounds (largest ids, slot 2^48 - 1, longest "
                "varints a field allows, ...); a decoder must accept them exactly at the limit.",
    "Truncated": "The input ends inside (or right before) a field (WF-ENC-5).",
    "ClaimedSize": "A count or length claims more elements or bytes than the remaining input can "
                   "hold; reported on the count field before any allocation (WF-ENC-7, WF-ENC-8).",
    "TrailingData": "Bytes remain after the last field (WF-ENC-5).",
    "OutOfRange": "A number outside its field's bounds, including over-long varints (WF-ENC-2) and "
                  "delta-coded elements crossing their list's bound (WF-ENC-9).",
    "NonCanonical": "A value that has another, canonical encoding: varint ending in 0x00 (WF-ENC-2), "
                    "-0.0 (WF-ENC-3), set padding bits (WF-ENC-4).",
    "InvalidValue": "An undefined enumerated value, NaN or an infinity, a forbidden character, an "
                    "undefined capability bit.",
    "Inconsistent": "Fields valid one by one that contradict each other (cross-field rules, checked "
                    "after the whole input was read and consumed exactly).",
    "CheckOrder": "The input holds more than one violation on purpose; the expected error is the "
                  "first one in the order of WF-ENC-8 (other implementations MAY report another).",
    "BadMagic": "The frame does not start with \"TFQK\" (WF-FRM-1).",
    "UnsupportedVersion": "The frame's version is not 1 (WF-FRM-1).",
    "UnknownType": "The frame's type is not a message type of section 5 (WF-FRM-2).",
    "BadRoute": "A sender/receiver pair that the message type does not allow (WF-FRM-3).",
    "PeerChannel": "A frame between alice and bob, which carries a 16-byte tag (WF-FRM-4).",
    "RelayChannel": "A frame to or from charlie, which carries no tag (WF-FRM-4).",
    "InvalidPayload": "The frame header is valid but its payload is not a valid message of its type; "
                      "the error names the payload's message (WF-FRM-6).",
}

# ---------------------------------------------------------------------------------------------------
# Primitive encoders (section 1)
# ---------------------------------------------------------------------------------------------------

U32_LIMIT = 1 << 32
SLOT_LIMIT = 1 << 48


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def varint(v):
    """Canonical (shortest) unsigned LEB128, WF-ENC-2: low 7-bit group first, high bit = 'more'."""
    if v < 0:
        raise ValueError("varint of a negative number")
    out = bytearray()
    while True:
        group = v & 0x7F
        v >>= 7
        if v:
            out.append(group | 0x80)
        else:
            out.append(group)
            return bytes(out)


def f64(x):
    """IEEE 754 binary64, big-endian (WF-ENC-3).  Used raw for invalid cases (NaN, -0.0, ...)."""
    return struct.pack(">d", x)


def bits(s):
    """bits[n] from a '0'/'1' string: first bit in the MSB of the first byte, zero padding (WF-ENC-4)."""
    out = bytearray((len(s) + 7) // 8)
    for i, c in enumerate(s):
        if c == "1":
            out[i // 8] |= 0x80 >> (i % 8)
        elif c != "0":
            raise ValueError("bit string with a character other than 0/1")
    return bytes(out)


NEG_ZERO = -0.0
NAN = float("nan")
INF = float("inf")


def is_neg_zero(x):
    return x == 0.0 and math.copysign(1.0, x) < 0


# ---------------------------------------------------------------------------------------------------
# Field lists.  Every encoder produces the ordered list of (field name, bytes) of a message; the
# message's bytes are their concatenation.  Invalid cases are made from the fields of a valid message
# by replacing one field's bytes, cutting the input inside a field, or appending bytes, which keeps
# the offsets of everything else right by construction.
# ---------------------------------------------------------------------------------------------------


class Fields:
    def __init__(self, items):
        self.items = list(items)

    def data(self):
        return b"".join(b for _, b in self.items)

    def _index(self, name):
        for i, (n, _) in enumerate(self.items):
            if n == name:
                return i
        raise KeyError(name)

    def replace(self, name, raw):
        """The message with field `name` encoded as the raw bytes `raw`."""
        items = list(self.items)
        items[self._index(name)] = (name, raw)
        return Fields(items)

    def insert_before(self, name, new_name, raw):
        items = list(self.items)
        items.insert(self._index(name), (new_name, raw))
        return Fields(items)

    def cut(self, name, keep=0):
        """Bytes of every field before `name`, then the first `keep` bytes of `name`."""
        i = self._index(name)
        assert keep < len(self.items[i][1]), "cut must end inside the field"
        return b"".join(b for _, b in self.items[:i]) + self.items[i][1][:keep]

    def before(self, name):
        return self.cut(name, 0)


def require(cond, what):
    """Encoders refuse to encode an invalid message (WF-ENC-6); this guards every valid vector."""
    if not cond:
        raise ValueError("encoder given an invalid message: " + what)


def check_f64(x, lo, hi, lo_open, hi_open, what):
    require(isinstance(x, float) and math.isfinite(x) and not is_neg_zero(x), what + " finite, not -0.0")
    require(x > lo if lo_open else x >= lo, what + " lower bound")
    require(x < hi if hi_open else x <= hi, what + " upper bound")


def check_bits(s, what):
    require(isinstance(s, str) and set(s) <= {"0", "1"}, what + " is a bit string")


# ---------------------------------------------------------------------------------------------------
# Message encoders (section 5), each from the `decoded` form of section 7.1
# ---------------------------------------------------------------------------------------------------

CAPABILITY_MASK = 0xF  # WF-SP-4: bits 0..3 defined


def fields_session_params(d):  # 5.1
    require(d["family"] in (1, 2, 3, 4), "family")
    require(1 <= d["pulse_count"] <= SLOT_LIMIT, "pulse_count")
    require(1 <= d["phase_slices"] <= 1024, "phase_slices")
    require(d["capabilities"] & ~CAPABILITY_MASK == 0, "capabilities")
    items = [("block_id", u64(d["block_id"])), ("family", u8(d["family"])),
             ("pulse_count", u64(d["pulse_count"])), ("phase_slices", u16(d["phase_slices"]))]
    for party in ("alice", "bob"):
        settings = d[party + "_settings"]
        require(1 <= len(settings) <= 16, party + "_setting_count")
        items.append((party + "_setting_count", u8(len(settings))))
        seen = set()
        total = 0.0
        for i, s in enumerate(settings):
            require(s["window"] in (0, 1), "window")
            check_f64(s["intensity"], 0.0, 100.0, False, False, "intensity")
            check_f64(s["probability"], 0.0, 1.0, True, False, "probability")
            require((s["window"], s["intensity"]) not in seen, "WF-SP-1")
            seen.add((s["window"], s["intensity"]))
            total += s["probability"]
            name = "%s_settings[%d]." % (party, i)
            items += [(name + "window", u8(s["window"])), (name + "intensity", f64(s["intensity"])),
                      (name + "probability", f64(s["probability"]))]
        require(abs(total - 1.0) <= 1e-9, "WF-SP-2")
    for eps in ("eps_cor", "eps_pa", "eps_pe", "eps_total"):
        check_f64(d[eps], 0.0, 1.0, True, True, eps)
        items.append((eps, f64(d[eps])))
    require(all(d["eps_total"] >= d[e] for e in ("eps_cor", "eps_pa", "eps_pe")), "WF-SP-3")
    items.append(("capabilities", u32(d["capabilities"])))
    return Fields(items)


def fields_session_params_ack(d):  # 5.2
    digest = bytes.fromhex(d["params_digest"])
    require(len(digest) == 32, "params_digest")
    require(d["capabilities"] & ~CAPABILITY_MASK == 0, "capabilities")
    return Fields([("block_id", u64(d["block_id"])), ("params_digest", digest),
                   ("capabilities", u32(d["capabilities"]))])


def fields_detection_report(d):  # 5.3
    first, count, events = d["first_slot"], d["slot_count"], d["events"]
    require(first < SLOT_LIMIT, "first_slot")
    require(1 <= count <= SLOT_LIMIT and first + count <= SLOT_LIMIT, "slot_count")
    require(len(events) <= 10**8, "event_count")
    items = [("block_id", u64(d["block_id"])), ("first_slot", u64(first)), ("slot_count", u64(count)),
             ("event_count", u32(len(events)))]
    prev = None
    for i, e in enumerate(events):
        require(e["click"] in (1, 2, 3), "click")
        # WF-ENC-9: gap is relative to first_slot for the first event, to previous + 1 after it.
        gap = e["slot"] - (first if prev is None else prev + 1)
        require(gap >= 0 and e["slot"] < first + count, "slot")   # WF-DR-1
        v = varint((gap << 2) | e["click"])
        require(len(v) <= 8, "event varint at most 8 bytes")
        items.append(("events[%d]" % i, v))
        prev = e["slot"]
    return Fields(items)


def fields_phase_reference_report(d):  # 5.4
    require(d["first_slot"] < SLOT_LIMIT, "first_slot")
    require(1 <= d["sample_stride"] <= SLOT_LIMIT, "sample_stride")
    require(len(d["phases"]) <= 1 << 24, "sample_count")
    items = [("block_id", u64(d["block_id"])), ("first_slot", u64(d["first_slot"])),
             ("sample_stride", u64(d["sample_stride"])), ("sample_count", u32(len(d["phases"])))]
    items += [("phases[%d]" % i, u32(p)) for i, p in enumerate(d["phases"])]
    return Fields(items)


def fields_bits_message(d, head, count_name, bits_name, lo, hi):
    """The shape shared by 5.5, 5.9, 5.11, 5.12: header fields, u32 bit count, bits."""
    s = d[bits_name]
    check_bits(s, bits_name)
    require(lo <= len(s) <= hi, count_name)
    return Fields(head + [(count_name, u32(len(s))), (bits_name, bits(s))])


def fields_sifting_announcement(d):  # 5.5
    return fields_bits_message(d, [("block_id", u64(d["block_id"]))], "event_count", "windows", 0, 10**8)


def delta_indices(indices, what):
    """WF-ENC-9: strictly increasing indices below 2^32 as varint deltas (first = delta)."""
    out, prev = [], None
    for x in indices:
        require(0 <= x < U32_LIMIT, what + " below 2^32")
        delta = x if prev is None else x - prev - 1
        require(delta >= 0, what + " strictly increasing")
        out.append(varint(delta))   # at most 5 bytes, as x < 2^32
        prev = x
    return out


def fields_decoy_announcement(d):  # 5.6
    entries = d["entries"]
    require(len(entries) <= 10**8, "entry_count")
    items = [("block_id", u64(d["block_id"])), ("entry_count", u32(len(entries)))]
    deltas = delta_indices([e["index"] for e in entries], "entries[].index")
    for i, (e, delta) in enumerate(zip(entries, deltas)):
        require(0 <= e["setting"] <= 15, "setting")
        require(0 <= e["phase_slice"] <= 1023, "phase_slice")
        items += [("entries[%d].index" % i, delta), ("entries[%d].setting" % i, u8(e["setting"])),
                  ("entries[%d].phase_slice" % i, u16(e["phase_slice"]))]
    return Fields(items)


def fields_estimation_disclosure(d):  # 5.7
    indices, values = d["indices"], d["values"]
    check_bits(values, "values")
    require(len(indices) == len(values) and len(indices) <= 10**8, "bit_count")
    items = [("block_id", u64(d["block_id"])), ("bit_count", u32(len(indices)))]
    items += [("indices[%d]" % i, v) for i, v in enumerate(delta_indices(indices, "indices[]"))]
    items.append(("values", bits(values)))
    return Fields(items)


def fields_aopp_pairing(d):  # 5.8
    pairs = d["pairs"]
    zeros, ones = d["bob_zeros"], d["bob_ones"]
    require(0 <= zeros <= U32_LIMIT and 0 <= ones <= U32_LIMIT, "bob_zeros/bob_ones at most 2^32")
    require(len(pairs) <= 5 * 10**7, "pair_count")
    require(len(pairs) <= min(zeros, ones), "pair_count at most min(bob_zeros, bob_ones)")
    items = [("block_id", u64(d["block_id"])), ("bob_zeros", u64(zeros)), ("bob_ones", u64(ones)),
             ("pair_count", u32(len(pairs)))]
    firsts = delta_indices([p["first"] for p in pairs], "pairs[].first")
    for i, (p, first_delta) in enumerate(zip(pairs, firsts)):
        # second = first + 1 + second_delta, below 2^32
        require(p["first"] < p["second"] < U32_LIMIT, "pairs[].second")
        items += [("pairs[%d].first" % i, first_delta),
                  ("pairs[%d].second" % i, varint(p["second"] - p["first"] - 1))]
    return Fields(items)


def fields_aopp_parity(d):  # 5.9
    return fields_bits_message(d, [("block_id", u64(d["block_id"]))], "pair_count", "parities",
                               0, 5 * 10**7)


def fields_cascade_parity_query(d):  # 5.10
    ranges = d["ranges"]
    require(1 <= d["pass"] <= 16, "pass")
    require(1 <= len(ranges) <= 1 << 24, "range_count")
    items = [("block_id", u64(d["block_id"])), ("query_id", u32(d["query_id"])), ("pass", u8(d["pass"])),
             ("permutation_seed", u64(d["permutation_seed"])), ("range_count", u32(len(ranges)))]
    prev_end = 0
    for i, r in enumerate(ranges):
        # Unlike WF-ENC-9 there is no "+ 1": start = previous end + start_delta (ranges may touch).
        start_delta = r["start"] - prev_end
        require(start_delta >= 0, "ranges increasing and disjoint")
        require(r["length"] >= 1 and r["start"] + r["length"] <= U32_LIMIT, "ranges[].length")
        items += [("ranges[%d].start" % i, varint(start_delta)), ("ranges[%d].length" % i, varint(r["length"]))]
        require(len(items[-2][1]) <= 5 and len(items[-1][1]) <= 5, "range varints at most 5 bytes")
        prev_end = r["start"] + r["length"]
    return Fields(items)


def fields_cascade_parity_reply(d):  # 5.11
    return fields_bits_message(d, [("block_id", u64(d["block_id"])), ("query_id", u32(d["query_id"]))],
                               "parity_count", "parities", 1, 1 << 24)


def fields_ldpc_syndrome(d):  # 5.12
    return fields_bits_message(d, [("block_id", u64(d["block_id"])), ("code_id", u32(d["code_id"])),
                                   ("frame_index", u32(d["frame_index"]))],
                               "syndrome_bits", "syndrome", 1, 1 << 24)


def fields_verification(d):  # 5.13
    require(d["algorithm"] in (1, 2), "algorithm")
    size = 8 if d["algorithm"] == 1 else 16
    seed, tag = bytes.fromhex(d["seed"]), bytes.fromhex(d["tag"])
    require(len(seed) == size and len(tag) == size, "seed/tag size of the algorithm")
    return Fields([("block_id", u64(d["block_id"])), ("algorithm", u8(d["algorithm"])), ("seed", seed),
                   ("tag", tag)])


def fields_privacy_amplification(d):  # 5.14
    require(d["algorithm"] == 1, "algorithm")
    require(1 <= d["input_bits"] <= 1 << 30, "input_bits")
    require(1 <= d["output_bits"] <= d["input_bits"], "output_bits")
    check_bits(d["seed"], "seed")
    require(len(d["seed"]) == d["input_bits"] + d["output_bits"] - 1, "seed length")
    return Fields([("block_id", u64(d["block_id"])), ("algorithm", u8(d["algorithm"])),
                   ("input_bits", u32(d["input_bits"])), ("output_bits", u32(d["output_bits"])),
                   ("seed", bits(d["seed"]))])


def fields_key_confirmation(d):  # 5.15
    require(0 <= d["key_bits"] <= 1 << 30, "key_bits")
    conf = bytes.fromhex(d["confirmation"])
    require(len(conf) == 16, "confirmation")
    return Fields([("block_id", u64(d["block_id"])), ("key_bits", u32(d["key_bits"])), ("confirmation", conf)])


ABORT_REASONS = range(1, 14)


def fields_abort(d):  # 5.16
    require(d["reason"] in ABORT_REASONS, "reason")
    detail = d["detail"].encode("ascii")
    require(len(detail) <= 256 and all(0x20 <= c <= 0x7E for c in detail), "detail")
    return Fields([("block_id", u64(d["block_id"])), ("reason", u16(d["reason"])),
                   ("detail_length", u16(len(detail))), ("detail", detail)])


# The catalogue of section 5: type, name, spec section, routes, encoder.
PEER = [(1, 2), (2, 1)]
TO_RELAY = [(1, 3), (2, 3)]
FROM_RELAY = [(3, 1), (3, 2)]
ALICE, BOB, CHARLIE = 1, 2, 3

MESSAGES = [
    (0x01, "session_params", "5.1", PEER + TO_RELAY, fields_session_params),
    (0x02, "session_params_ack", "5.2", PEER + FROM_RELAY, fields_session_params_ack),
    (0x10, "detection_report", "5.3", FROM_RELAY, fields_detection_report),
    (0x11, "phase_reference_report", "5.4", FROM_RELAY, fields_phase_reference_report),
    (0x20, "sifting_announcement", "5.5", PEER, fields_sifting_announcement),
    (0x21, "decoy_announcement", "5.6", PEER, fields_decoy_announcement),
    (0x22, "estimation_disclosure", "5.7", PEER, fields_estimation_disclosure),
    (0x30, "aopp_pairing", "5.8", PEER, fields_aopp_pairing),
    (0x31, "aopp_parity", "5.9", PEER, fields_aopp_parity),
    (0x40, "cascade_parity_query", "5.10", PEER, fields_cascade_parity_query),
    (0x41, "cascade_parity_reply", "5.11", PEER, fields_cascade_parity_reply),
    (0x42, "ldpc_syndrome", "5.12", PEER, fields_ldpc_syndrome),
    (0x50, "verification", "5.13", PEER, fields_verification),
    (0x60, "privacy_amplification", "5.14", PEER, fields_privacy_amplification),
    (0x70, "key_confirmation", "5.15", PEER, fields_key_confirmation),
    (0x7F, "abort", "5.16", PEER + TO_RELAY + FROM_RELAY, fields_abort),
]
BY_NAME = {m[1]: m for m in MESSAGES}


def encode(message, decoded):
    return BY_NAME[message][4](decoded).data()


# ---------------------------------------------------------------------------------------------------
# Frame encoder (section 3)
# ---------------------------------------------------------------------------------------------------

MAGIC = b"TFQK"
PAYLOAD_LIMIT = 1 << 30


def is_peer(sender, receiver):
    return {sender, receiver} == {ALICE, BOB}


def frame_fields(d):
    """Fields of a frame from its 7.1 decoded form.  The route is checked here; the payload is taken
    as given (valid frames get their payloads from the message encoders above)."""
    msg = next(m for m in MESSAGES if m[0] == d["type"])
    require(d["version"] == 1, "version")
    require((d["sender"], d["receiver"]) in msg[3], "route")
    payload = bytes.fromhex(d["payload"])
    require(len(payload) <= PAYLOAD_LIMIT, "payload_length")
    items = [("magic", MAGIC), ("version", u8(d["version"])), ("type", u8(d["type"])),
             ("sender", u8(d["sender"])), ("receiver", u8(d["receiver"])),
             ("session_id", u64(d["session_id"])), ("sequence", u64(d["sequence"])),
             ("payload_length", u32(len(payload))), ("payload", payload)]
    if is_peer(d["sender"], d["receiver"]):         # WF-FRM-4: tag only on the peer channel
        tag = bytes.fromhex(d["tag"])
        require(len(tag) == 16, "tag")
        items.append(("tag", tag))
    else:
        require("tag" not in d, "no tag off the peer channel")
    return Fields(items)


# ---------------------------------------------------------------------------------------------------
# Test-case collection and file output
# ---------------------------------------------------------------------------------------------------


class Suite:
    def __init__(self, message):
        self.message = message
        self.tests = []

    def _add(self, case):
        case = {"tcId": len(self.tests) + 1, **case}
        for flag in case["flags"]:
            assert flag in FLAGS, flag
        self.tests.append(case)

    def valid(self, comment, flags, decoded):
        data = encode(self.message, decoded)
        self._add({"comment": comment, "input": data.hex(), "result": "valid", "flags": flags,
                   "decoded": copy.deepcopy(decoded)})
        return data

    def invalid(self, comment, flags, data, code, field):
        if isinstance(data, Fields):
            data = data.data()
        self._add({"comment": comment, "input": data.hex(), "result": "invalid", "flags": flags,
                   "error": {"code": code, "field": field}})


def document(message, spec_ref, group_type, tests):
    used = sorted({f for t in tests for f in t["flags"]})
    return {
        "algorithm": "tfqkd-wire-v1",
        "message": message,
        "spec": "%s section %s" % (SPEC, spec_ref),
        "numberOfTests": len(tests),
        "notes": {f: FLAGS[f] for f in used},
        "testGroups": [{"type": group_type, "tests": tests}],
    }


# ---------------------------------------------------------------------------------------------------
# Cases, one function per message.  Comments cite the requirement each case exercises.
# ---------------------------------------------------------------------------------------------------

U64_MAX = (1 << 64) - 1
U32_MAX = (1 << 32) - 1


def setting(window, intensity, probability):
    return {"window": window, "intensity": intensity, "probability": probability}


def sp_minimal():
    return {"block_id": 0, "family": 1, "pulse_count": 1, "phase_slices": 1,
            "alice_settings": [setting(0, 0.0, 1.0)], "bob_settings": [setting(0, 0.0, 1.0)],
            "eps_cor": 0.5, "eps_pa": 0.5, "eps_pe": 0.5, "eps_total": 0.5, "capabilities": 0}


def sp_typical():
    return {"block_id": 42, "family": 1, "pulse_count": 10**10, "phase_slices": 16,
            "alice_settings": [setting(0, 0.3, 0.5), setting(1, 0.0, 0.25), setting(1, 0.1, 0.125),
                               setting(1, 0.4, 0.125)],
            "bob_settings": [setting(0, 0.3, 0.5), setting(1, 0.0, 0.25), setting(1, 0.1, 0.125),
                             setting(1, 0.4, 0.125)],
            "eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_total": 1e-9, "capabilities": 0b0011}


def cases_session_params():
    s = Suite("session_params")
    s.valid("minimal: one setting per party (window Z, intensity 0, probability 1), all counts 1; "
            "91 bytes, the minimum payload of 5.1", ["Minimal"], sp_minimal())
    s.valid("typical sending-or-not-sending block: one Z and three X settings per party, "
            "AOPP and Cascade capabilities", ["Typical"], sp_typical())
    s.valid("phase-matching (family 2): one X-window setting per party, LDPC and phase-reference "
            "capabilities", ["Typical"],
            {"block_id": 7, "family": 2, "pulse_count": 10**9, "phase_slices": 64,
             "alice_settings": [setting(1, 0.05, 1.0)], "bob_settings": [setting(1, 0.05, 1.0)],
             "eps_cor": 1e-12, "eps_pa": 1e-12, "eps_pe": 1e-12, "eps_total": 3e-12,
             "capabilities": 0b1100})
    s.valid("cal19 (family 3); Alice's settings in an order other than by window", ["Typical"],
            {"block_id": 1000, "family": 3, "pulse_count": 123456789, "phase_slices": 8,
             "alice_settings": [setting(1, 0.1, 0.25), setting(0, 0.5, 0.75)],
             "bob_settings": [setting(0, 0.5, 0.75), setting(1, 0.1, 0.25)],
             "eps_cor": 1e-10, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_total": 1e-10, "capabilities": 1})
    # 16 settings per party, largest ids/counts, intensity 100 exactly, eps just below 1.
    alice16 = [setting(i % 2, float(i * 100 // 15) if i != 15 else 100.0, 0.0625) for i in range(16)]
    bob16 = [setting(1, float(i), 0.0625) for i in range(16)]
    eps_max = math.nextafter(1.0, 0.0)
    s.valid("boundary maxima: block_id 2^64-1, family 4, pulse_count 2^48, phase_slices 1024, "
            "16 settings per party, intensity 100, eps = largest double below 1, capabilities 0xF",
            ["Boundary"],
            {"block_id": U64_MAX, "family": 4, "pulse_count": SLOT_LIMIT, "phase_slices": 1024,
             "alice_settings": alice16, "bob_settings": bob16,
             "eps_cor": eps_max, "eps_pa": eps_max, "eps_pe": eps_max, "eps_total": eps_max,
             "capabilities": 0xF})
    s.valid("boundary minima: eps = smallest subnormal (5e-324) everywhere (eps_total equal to the "
            "others satisfies WF-SP-3); a probability of 5e-324 whose sum with 1.0 is 1.0 (WF-SP-2); "
            "two settings with the same intensity but different windows are distinct (WF-SP-1)",
            ["Boundary"],
            {"block_id": 1, "family": 1, "pulse_count": 2, "phase_slices": 2,
             "alice_settings": [setting(0, 0.5, 1.0), setting(1, 0.5, 5e-324)],
             "bob_settings": [setting(0, 100.0, 1.0)],
             "eps_cor": 5e-324, "eps_pa": 5e-324, "eps_pe": 5e-324, "eps_total": 5e-324, "capabilities": 0})
    s.valid("WF-SP-2 tolerance: ten probabilities 0.1 sum (in list order) to 0.9999999999999999, and "
            "Bob's 0.5 + 0.5000000005 is 5e-10 above 1; both within 1e-9", ["Boundary"],
            {"block_id": 2, "family": 2, "pulse_count": 1000, "phase_slices": 10,
             "alice_settings": [setting(1, i / 10, 0.1) for i in range(10)],
             "bob_settings": [setting(0, 0.2, 0.5), setting(1, 0.2, 0.5000000005)],
             "eps_cor": 1e-9, "eps_pa": 1e-9, "eps_pe": 1e-9, "eps_total": 1e-8, "capabilities": 0})
    assert abs(sum([0.1] * 10) - 1.0) > 0  # the sum really is inexact

    m = fields_session_params(sp_minimal())
    t = fields_session_params(sp_typical())
    # -- truncation (WF-ENC-5) --
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (5 of 8 bytes)", ["Truncated"], m.cut("block_id", 5),
              TRUNCATED, "block_id")
    s.invalid("input ends inside pulse_count (3 of 8 bytes)", ["Truncated"], m.cut("pulse_count", 3),
              TRUNCATED, "pulse_count")
    s.invalid("input ends inside Alice's first setting, 4 bytes after alice_setting_count = 1: the "
              "count claims 17 bytes that do not remain, checked before the list is read "
              "(WF-ENC-7, WF-ENC-8)", ["Truncated", "ClaimedSize"],
              m.cut("alice_settings[0].intensity", 3), TRUNCATED, "alice_setting_count")
    s.invalid("input ends inside eps_total (7 of 8 bytes)", ["Truncated"], t.cut("eps_total", 7),
              TRUNCATED, "eps_total")
    s.invalid("input ends inside capabilities (2 of 4 bytes)", ["Truncated"], t.cut("capabilities", 2),
              TRUNCATED, "capabilities")
    s.invalid("alice_setting_count = 16 claims 272 bytes, only 71 remain (WF-ENC-7)",
              ["ClaimedSize", "Truncated"], m.replace("alice_setting_count", u8(16)),
              TRUNCATED, "alice_setting_count")
    # -- field bounds --
    s.invalid("family 0 is undefined", ["InvalidValue"], m.replace("family", u8(0)), INVALID_VALUE, "family")
    s.invalid("family 5 is undefined", ["InvalidValue"], m.replace("family", u8(5)), INVALID_VALUE, "family")
    s.invalid("pulse_count 0, below 1", ["OutOfRange"], m.replace("pulse_count", u64(0)),
              OUT_OF_RANGE, "pulse_count")
    s.invalid("pulse_count 2^48 + 1, above 2^48", ["OutOfRange"],
              m.replace("pulse_count", u64(SLOT_LIMIT + 1)), OUT_OF_RANGE, "pulse_count")
    s.invalid("phase_slices 0, below 1", ["OutOfRange"], m.replace("phase_slices", u16(0)),
              OUT_OF_RANGE, "phase_slices")
    s.invalid("phase_slices 1025, above 1024", ["OutOfRange"], m.replace("phase_slices", u16(1025)),
              OUT_OF_RANGE, "phase_slices")
    s.invalid("alice_setting_count 0, below 1", ["OutOfRange"],
              Fields([(n, b) for n, b in m.items if not n.startswith("alice_settings[")])
              .replace("alice_setting_count", u8(0)), OUT_OF_RANGE, "alice_setting_count")
    # 17 settings really present, so that only the count bound is violated.
    seventeen = b"".join(u8(1) + f64(float(i)) + f64(1 / 17) for i in range(17))
    s.invalid("alice_setting_count 17, above 16, with 17 well-formed settings present", ["OutOfRange"],
              Fields([(n, b) for n, b in m.items if not n.startswith("alice_settings[")])
              .replace("alice_setting_count", u8(17))
              .insert_before("bob_setting_count", "alice_settings", seventeen),
              OUT_OF_RANGE, "alice_setting_count")
    s.invalid("bob_setting_count 0, below 1", ["OutOfRange"],
              Fields([(n, b) for n, b in m.items if not n.startswith("bob_settings[")])
              .replace("bob_setting_count", u8(0)), OUT_OF_RANGE, "bob_setting_count")
    s.invalid("setting window 2 is undefined", ["InvalidValue"],
              m.replace("alice_settings[0].window", u8(2)), INVALID_VALUE, "alice_settings[].window")
    s.invalid("intensity -0.0 (WF-ENC-3)", ["NonCanonical"],
              m.replace("alice_settings[0].intensity", f64(NEG_ZERO)), NON_CANONICAL,
              "alice_settings[].intensity")
    s.invalid("intensity NaN (WF-ENC-3)", ["InvalidValue"],
              m.replace("alice_settings[0].intensity", f64(NAN)), INVALID_VALUE, "alice_settings[].intensity")
    s.invalid("intensity +infinity (WF-ENC-3)", ["InvalidValue"],
              m.replace("alice_settings[0].intensity", f64(INF)), INVALID_VALUE, "alice_settings[].intensity")
    s.invalid("intensity: the next double above 100", ["OutOfRange"],
              m.replace("alice_settings[0].intensity", f64(math.nextafter(100.0, 200.0))),
              OUT_OF_RANGE, "alice_settings[].intensity")
    s.invalid("intensity -1", ["OutOfRange"], m.replace("alice_settings[0].intensity", f64(-1.0)),
              OUT_OF_RANGE, "alice_settings[].intensity")
    two = fields_session_params({**sp_minimal(), "alice_settings": [setting(0, 0.5, 1.0), setting(1, 0.5, 1e-300)]})
    s.invalid("second setting's probability 0 (open lower bound); the sum is still 1", ["OutOfRange"],
              two.replace("alice_settings[1].probability", f64(0.0)), OUT_OF_RANGE,
              "alice_settings[].probability")
    s.invalid("probability: the next double above 1", ["OutOfRange"],
              m.replace("bob_settings[0].probability", f64(math.nextafter(1.0, 2.0))), OUT_OF_RANGE,
              "bob_settings[].probability")
    s.invalid("Bob's probability NaN (WF-ENC-3)", ["InvalidValue"],
              m.replace("bob_settings[0].probability", f64(NAN)), INVALID_VALUE, "bob_settings[].probability")
    s.invalid("eps_cor 0 (open interval)", ["OutOfRange"], m.replace("eps_cor", f64(0.0)), OUT_OF_RANGE, "eps_cor")
    s.invalid("eps_pa 1 (open interval; also makes WF-SP-3 fail, which is checked later)",
              ["OutOfRange"], m.replace("eps_pa", f64(1.0)), OUT_OF_RANGE, "eps_pa")
    s.invalid("eps_pe -0.0 (WF-ENC-3)", ["NonCanonical"], m.replace("eps_pe", f64(NEG_ZERO)),
              NON_CANONICAL, "eps_pe")
    s.invalid("eps_pe negative", ["OutOfRange"], m.replace("eps_pe", f64(-1e-9)), OUT_OF_RANGE, "eps_pe")
    s.invalid("eps_total NaN (WF-ENC-3)", ["InvalidValue"], m.replace("eps_total", f64(NAN)),
              INVALID_VALUE, "eps_total")
    s.invalid("eps_total +infinity (WF-ENC-3)", ["InvalidValue"], m.replace("eps_total", f64(INF)),
              INVALID_VALUE, "eps_total")
    s.invalid("capabilities bit 4 set (WF-SP-4)", ["InvalidValue"], m.replace("capabilities", u32(0x10)),
              INVALID_VALUE, "capabilities")
    s.invalid("capabilities bit 31 set (WF-SP-4)", ["InvalidValue"],
              m.replace("capabilities", u32(0x80000000)), INVALID_VALUE, "capabilities")
    s.invalid("one byte after capabilities (WF-ENC-5)", ["TrailingData"], m.data() + b"\x00",
              TRAILING, "")
    # -- cross-field rules, in listed order --
    dup = fields_session_params({**sp_minimal(), "alice_settings": [setting(1, 0.1, 0.5), setting(1, 0.2, 0.5)]})
    s.invalid("WF-SP-1: Alice lists window X / intensity 0.1 twice", ["Inconsistent"],
              dup.replace("alice_settings[1].intensity", f64(0.1)), INCONSISTENT, "alice_settings")
    dupb = fields_session_params({**sp_minimal(), "bob_settings": [setting(0, 0.3, 0.5), setting(0, 0.4, 0.5)]})
    s.invalid("WF-SP-1: Bob lists window Z / intensity 0.3 twice", ["Inconsistent"],
              dupb.replace("bob_settings[1].intensity", f64(0.3)), INCONSISTENT, "bob_settings")
    s.invalid("WF-SP-2: Alice's probabilities sum to 0.75", ["Inconsistent"],
              two.replace("alice_settings[1].probability", f64(0.25))
                 .replace("alice_settings[0].probability", f64(0.5)), INCONSISTENT, "alice_settings")
    bobsum = fields_session_params({**sp_minimal(), "bob_settings": [setting(0, 0.2, 0.5), setting(1, 0.2, 0.5)]})
    s.invalid("WF-SP-2: Bob's probabilities 0.5 + 0.500000002 exceed 1 by 2e-9", ["Inconsistent"],
              bobsum.replace("bob_settings[1].probability", f64(0.500000002)), INCONSISTENT, "bob_settings")
    s.invalid("WF-SP-3: eps_total 1e-10 below eps_pa 1e-9", ["Inconsistent"],
              t.replace("eps_pa", f64(1e-9)).replace("eps_total", f64(1e-10)), INCONSISTENT, "eps_total")
    s.invalid("WF-SP-3: eps_total below eps_cor (the others equal to eps_total)", ["Inconsistent"],
              m.replace("eps_cor", f64(0.75)), INCONSISTENT, "eps_total")
    s.invalid("check order (WF-ENC-8): a duplicate setting (WF-SP-1) and a trailing byte; trailing "
              "data is checked before the cross-field rules", ["CheckOrder", "TrailingData"],
              dup.replace("alice_settings[1].intensity", f64(0.1)).data() + b"\x00", TRAILING, "")
    return s


def cases_session_params_ack():
    s = Suite("session_params_ack")
    zero = {"block_id": 0, "params_digest": "00" * 32, "capabilities": 0}
    s.valid("minimal: block 0, all-zero digest, no capabilities", ["Minimal"], zero)
    digest = hashlib.sha256(encode("session_params", sp_typical())).hexdigest()
    typ = {"block_id": 42, "params_digest": digest, "capabilities": 0b0011}
    s.valid("typical: acknowledges the typical session_params vector (its SHA-256), accepting AOPP "
            "and Cascade", ["Typical"], typ)
    s.valid("boundary: block_id 2^64-1, digest all 0xff, all four capabilities", ["Boundary"],
            {"block_id": U64_MAX, "params_digest": "ff" * 32, "capabilities": 0xF})
    s.valid("a subset of capabilities (LDPC and phase reference)", ["Typical"],
            {"block_id": 9, "params_digest": "0123456789abcdef" * 4, "capabilities": 0b1100})
    f = fields_session_params_ack(typ)
    # Truncation (WF-ENC-5), trailing data, undefined capability bits (5.2).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (7 of 8 bytes)", ["Truncated"], f.cut("block_id", 7),
              TRUNCATED, "block_id")
    s.invalid("input ends right after block_id", ["Truncated"], f.before("params_digest"),
              TRUNCATED, "params_digest")
    s.invalid("input ends inside params_digest (31 of 32 bytes)", ["Truncated"],
              f.cut("params_digest", 31), TRUNCATED, "params_digest")
    s.invalid("input ends inside capabilities (3 of 4 bytes)", ["Truncated"], f.cut("capabilities", 3),
              TRUNCATED, "capabilities")
    s.invalid("one byte after capabilities", ["TrailingData"], f.data() + b"\x00", TRAILING, "")
    s.invalid("four bytes after capabilities", ["TrailingData"], f.data() + u32(0), TRAILING, "")
    s.invalid("capabilities bit 4 set", ["InvalidValue"], f.replace("capabilities", u32(0x10)),
              INVALID_VALUE, "capabilities")
    s.invalid("capabilities bit 31 set", ["InvalidValue"], f.replace("capabilities", u32(0x80000000)),
              INVALID_VALUE, "capabilities")
    s.invalid("capabilities all ones", ["InvalidValue"], f.replace("capabilities", u32(U32_MAX)),
              INVALID_VALUE, "capabilities")
    return s


def ev(slot, click):
    return {"slot": slot, "click": click}


def cases_detection_report():
    s = Suite("detection_report")
    s.valid("minimal: one slot, no events", ["Minimal"],
            {"block_id": 0, "first_slot": 0, "slot_count": 1, "events": []})
    typ = {"block_id": 5, "first_slot": 1000000, "slot_count": 10**7,
           "events": [ev(1000000, 1), ev(1001234, 2), ev(2500000, 3), ev(2500001, 1), ev(10999999, 2)]}
    s.valid("typical: five events in a span of 10^7 slots, gaps from 0 to ~8.5e6 (1- to 4-byte "
            "varints), all three click values; the last event in the last slot of the span", ["Typical"], typ)
    s.valid("boundary: first_slot 2^48-1, slot_count 1, an event (both detectors) in that slot",
            ["Boundary"], {"block_id": U64_MAX, "first_slot": SLOT_LIMIT - 1, "slot_count": 1,
                           "events": [ev(SLOT_LIMIT - 1, 3)]})
    s.valid("boundary: slot_count 2^48 from slot 0, events in slots 0 and 2^48-1 (gap 2^48-2, an 8-byte "
            "varint, the maximum length)", ["Boundary"],
            {"block_id": 1, "first_slot": 0, "slot_count": SLOT_LIMIT,
             "events": [ev(0, 1), ev(SLOT_LIMIT - 1, 2)]})
    s.valid("consecutive slots (gap 0 each), clicks 1, 2, 3", ["Typical"],
            {"block_id": 3, "first_slot": 77, "slot_count": 3, "events": [ev(77, 1), ev(78, 2), ev(79, 3)]})
    assert len(encode("detection_report", s.tests[3]["decoded"])) == 8 + 8 + 8 + 4 + 1 + 8

    f = fields_detection_report(typ)
    base = {"block_id": 5, "first_slot": 100, "slot_count": 10}
    one = fields_detection_report({**base, "events": [ev(100, 1)]})
    # Truncation (WF-ENC-5); counts against the remaining bytes (WF-ENC-7); the varint rules of
    # WF-ENC-2 (errors in the varint itself name `events[]`); click before slot bound; WF-DR-1.
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside first_slot (4 of 8 bytes)", ["Truncated"], f.cut("first_slot", 4),
              TRUNCATED, "first_slot")
    s.invalid("input ends inside event_count (2 of 4 bytes)", ["Truncated"], f.cut("event_count", 2),
              TRUNCATED, "event_count")
    s.invalid("first_slot 2^48, above 2^48-1", ["OutOfRange"], f.replace("first_slot", u64(SLOT_LIMIT)),
              OUT_OF_RANGE, "first_slot")
    s.invalid("slot_count 0, below 1", ["OutOfRange"], one.replace("slot_count", u64(0)),
              OUT_OF_RANGE, "slot_count")
    s.invalid("slot_count 2^48 + 1 (first_slot 0)", ["OutOfRange"],
              one.replace("first_slot", u64(0)).replace("slot_count", u64(SLOT_LIMIT + 1)),
              OUT_OF_RANGE, "slot_count")
    s.invalid("first_slot 2^48-1 with slot_count 2: first_slot + slot_count exceeds 2^48", ["OutOfRange"],
              fields_detection_report({"block_id": 0, "first_slot": SLOT_LIMIT - 1, "slot_count": 1,
                                       "events": []}).replace("slot_count", u64(2)),
              OUT_OF_RANGE, "slot_count")
    s.invalid("event_count 10^8 + 1, above 10^8 (it also exceeds the remaining bytes; the bound is "
              "checked first)", ["OutOfRange", "CheckOrder"], one.replace("event_count", u32(10**8 + 1)),
              OUT_OF_RANGE, "event_count")
    s.invalid("event_count 10^8 (in bounds) with 1 byte left (WF-ENC-7)", ["ClaimedSize", "Truncated"],
              one.replace("event_count", u32(10**8)), TRUNCATED, "event_count")
    s.invalid("event_count 2 with 1 byte left", ["ClaimedSize", "Truncated"],
              one.replace("event_count", u32(2)), TRUNCATED, "event_count")
    s.invalid("event varint cut off: event_count 1, the only byte 0x81 has its continuation bit set",
              ["Truncated"], one.replace("events[0]", b"\x81"), TRUNCATED, "events[]")
    two_bytes = fields_detection_report({**base, "slot_count": 100, "events": [ev(132, 1)]})   # v = 32 << 2 | 1 = 0x81 0x01
    assert two_bytes.items[-1][1] == b"\x81\x01"
    s.invalid("second event varint cut off: event_count 2 and 2 bytes left (count check passes), the "
              "first event takes both", ["Truncated"],
              two_bytes.replace("event_count", u32(2)), TRUNCATED, "events[]")
    s.invalid("event varint 0x81 0x00: value 1 with a redundant zero byte (WF-ENC-2)", ["NonCanonical"],
              one.replace("events[0]", b"\x81\x00"), NON_CANONICAL, "events[]")
    s.invalid("event varint of 9 bytes (at most 8)", ["OutOfRange"],
              one.replace("events[0]", b"\x81" + b"\x80" * 7 + b"\x01"), OUT_OF_RANGE, "events[]")
    s.invalid("click 0 (gap 0)", ["InvalidValue"], one.replace("events[0]", varint(0)),
              INVALID_VALUE, "events[].click")
    s.invalid("first event at first_slot + slot_count (gap 10, span of 10 slots) (WF-DR-1)", ["OutOfRange"],
              one.replace("events[0]", varint(10 << 2 | 2)), OUT_OF_RANGE, "events[].gap")
    last = fields_detection_report({**base, "events": [ev(100, 1), ev(109, 3)]})
    s.invalid("second event one slot past the span: previous 100, gap 9 -> slot 110 (WF-ENC-9, WF-DR-1)",
              ["OutOfRange"], last.replace("events[1]", varint(9 << 2 | 3)), OUT_OF_RANGE, "events[].gap")
    s.invalid("click 0 and a slot past the span in the same event: the click is checked first",
              ["InvalidValue", "CheckOrder"], one.replace("events[0]", varint(50 << 2)),
              INVALID_VALUE, "events[].click")
    s.invalid("one byte after the last event", ["TrailingData"], one.data() + b"\x05", TRAILING, "")
    return s


def cases_phase_reference_report():
    s = Suite("phase_reference_report")
    s.valid("minimal: no samples, stride 1", ["Minimal"],
            {"block_id": 0, "first_slot": 0, "sample_stride": 1, "phases": []})
    typ = {"block_id": 12, "first_slot": 4096, "sample_stride": 1000,
           "phases": [0, 1 << 30, 1 << 31, 3 << 30, 123456789]}
    s.valid("typical: five samples every 1000 slots", ["Typical"], typ)
    s.valid("boundary: first_slot 2^48-1, stride 2^48, one sample", ["Boundary"],
            {"block_id": U64_MAX, "first_slot": SLOT_LIMIT - 1, "sample_stride": SLOT_LIMIT,
             "phases": [U32_MAX]})
    s.valid("boundary phases 0 and 2^32-1", ["Boundary"],
            {"block_id": 1, "first_slot": 10, "sample_stride": 2, "phases": [0, U32_MAX, 0]})
    f = fields_phase_reference_report(typ)
    one = fields_phase_reference_report({"block_id": 1, "first_slot": 10, "sample_stride": 2, "phases": [7]})
    # Truncation (WF-ENC-5), bounds of 5.4, sample_count <= remaining / 4 (WF-ENC-7), trailing data.
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside first_slot (1 of 8 bytes)", ["Truncated"], f.cut("first_slot", 1),
              TRUNCATED, "first_slot")
    s.invalid("input ends inside sample_count (3 of 4 bytes)", ["Truncated"], f.cut("sample_count", 3),
              TRUNCATED, "sample_count")
    s.invalid("first_slot 2^48", ["OutOfRange"], f.replace("first_slot", u64(SLOT_LIMIT)),
              OUT_OF_RANGE, "first_slot")
    s.invalid("sample_stride 0", ["OutOfRange"], f.replace("sample_stride", u64(0)), OUT_OF_RANGE,
              "sample_stride")
    s.invalid("sample_stride 2^48 + 1", ["OutOfRange"], f.replace("sample_stride", u64(SLOT_LIMIT + 1)),
              OUT_OF_RANGE, "sample_stride")
    s.invalid("sample_count 2^24 + 1, above 2^24 (it also exceeds remaining / 4; the bound is "
              "checked first)", ["OutOfRange", "CheckOrder"], one.replace("sample_count", u32((1 << 24) + 1)),
              OUT_OF_RANGE, "sample_count")
    s.invalid("sample_count 2^24 (in bounds) with 4 bytes left", ["ClaimedSize", "Truncated"],
              one.replace("sample_count", u32(1 << 24)), TRUNCATED, "sample_count")
    s.invalid("sample_count 6 with 20 bytes left", ["ClaimedSize", "Truncated"],
              f.replace("sample_count", u32(6)), TRUNCATED, "sample_count")
    s.invalid("sample_count 1 with 3 bytes left (the sample cut short)", ["ClaimedSize", "Truncated"],
              one.data()[:-1], TRUNCATED, "sample_count")
    s.invalid("one byte after the last sample", ["TrailingData"], one.data() + b"\x00", TRAILING, "")
    s.invalid("four bytes after the last sample (sample_count 1 but two samples present)",
              ["TrailingData"], one.data() + u32(8), TRAILING, "")
    return s


def bits_cases(s, count_name, bits_name, lo, hi, valid_cases):
    """Shared cases for the messages whose payload ends in `count u32, bits[count]` (5.5, 5.9, 5.11,
    5.12); valid_cases[1] (the typical one) is the base of the invalid ones."""
    typ = valid_cases[1][2]
    for comment, flags, decoded in valid_cases:
        s.valid(comment, flags, decoded)
    f = BY_NAME[s.message][4](typ)
    # Truncation (WF-ENC-5), count bounds, ceil(n/8) <= remaining (WF-ENC-7), padding (WF-ENC-4).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (3 of 8 bytes)", ["Truncated"], f.cut("block_id", 3),
              TRUNCATED, "block_id")
    for name, raw in f.items[1:f._index(count_name)]:   # the fields between block_id and the count
        s.invalid("input ends inside %s (%d of %d bytes)" % (name, len(raw) - 1, len(raw)), ["Truncated"],
                  f.cut(name, len(raw) - 1), TRUNCATED, name)
    s.invalid("input ends inside %s (1 of 4 bytes)" % count_name, ["Truncated"], f.cut(count_name, 1),
              TRUNCATED, count_name)
    if lo == 1:
        s.invalid("%s 0, below 1 (no bits follow)" % count_name, ["OutOfRange"],
                  Fields(f.items[:-1]).replace(count_name, u32(0)), OUT_OF_RANGE, count_name)
    one_bit = BY_NAME[s.message][4]({**typ, bits_name: "1"})
    s.invalid("%s %d, above %d (its ceil(n/8) bytes also exceed the remaining input; the bound is "
              "checked first)" % (count_name, hi + 1, hi), ["OutOfRange", "CheckOrder"],
              one_bit.replace(count_name, u32(hi + 1)), OUT_OF_RANGE, count_name)
    s.invalid("%s %d (in bounds) with 1 byte left (WF-ENC-7)" % (count_name, hi), ["ClaimedSize", "Truncated"],
              one_bit.replace(count_name, u32(hi)), TRUNCATED, count_name)
    s.invalid("%s 9 needs 2 bytes, 1 left" % count_name, ["ClaimedSize", "Truncated"],
              one_bit.replace(count_name, u32(9)), TRUNCATED, count_name)
    s.invalid("%s 1 with no byte left" % count_name, ["ClaimedSize", "Truncated"],
              Fields(one_bit.items[:-1]), TRUNCATED, count_name)
    s.invalid("1 bit, padding bit 0x01 set (WF-ENC-4)", ["NonCanonical"],
              one_bit.replace(bits_name, b"\x81"), NON_CANONICAL, bits_name)
    thirteen = BY_NAME[s.message][4]({**typ, bits_name: "1010101010101"})
    s.invalid("13 bits, lowest padding bit of the last byte set (WF-ENC-4)", ["NonCanonical"],
              thirteen.replace(bits_name, bits("1010101010101") [:1] + b"\xa9"), NON_CANONICAL, bits_name)
    s.invalid("13 bits, all three padding bits set (WF-ENC-4)", ["NonCanonical"],
              thirteen.replace(bits_name, bits("1010101010101")[:1] + b"\xaf"), NON_CANONICAL, bits_name)
    s.invalid("one byte after the bits", ["TrailingData"], f.data() + b"\x00", TRAILING, "")
    s.invalid("8 bits and a second, zero byte (as if 9..16 bits)", ["TrailingData"],
              BY_NAME[s.message][4]({**typ, bits_name: "11111111"}).data() + b"\x00", TRAILING, "")


def cases_sifting_announcement():
    s = Suite("sifting_announcement")
    bits_cases(s, "event_count", "windows", 0, 10**8, [
        ("minimal: no events, no window bytes", ["Minimal"], {"block_id": 0, "windows": ""}),
        ("typical: 13 events, two bytes with three zero padding bits", ["Typical"],
         {"block_id": 31, "windows": "0010000110001"}),
        ("boundary: exactly 8 events, one full byte", ["Boundary"], {"block_id": 2, "windows": "10000001"}),
        ("one event in the test window", ["Minimal"], {"block_id": U64_MAX, "windows": "1"}),
        ("65 events, mostly key window", ["Typical"], {"block_id": 3, "windows": "0" * 31 + "1" + "0" * 32 + "1"}),
    ])
    return s


def cases_aopp_parity():
    s = Suite("aopp_parity")
    bits_cases(s, "pair_count", "parities", 0, 5 * 10**7, [
        ("minimal: no pairs", ["Minimal"], {"block_id": 0, "parities": ""}),
        ("typical: 11 parities", ["Typical"], {"block_id": 8, "parities": "11011110111"}),
        ("boundary: 16 parities, two full bytes", ["Boundary"], {"block_id": U64_MAX, "parities": "1111111111111110"}),
        ("one pair, even parity", ["Minimal"], {"block_id": 1, "parities": "0"}),
    ])
    return s


def cases_cascade_parity_reply():
    s = Suite("cascade_parity_reply")
    bits_cases(s, "parity_count", "parities", 1, 1 << 24, [
        ("minimal: one parity 0", ["Minimal"], {"block_id": 0, "query_id": 0, "parities": "0"}),
        ("typical: 12 parities answering query 17", ["Typical"],
         {"block_id": 4, "query_id": 17, "parities": "011010011001"}),
        ("boundary: block_id and query_id at their maxima, 8 parities", ["Boundary"],
         {"block_id": U64_MAX, "query_id": U32_MAX, "parities": "11111111"}),
        ("17 parities, one bit in the third byte", ["Typical"],
         {"block_id": 4, "query_id": 18, "parities": "00000000000000001"}),
    ])
    return s


def cases_ldpc_syndrome():
    s = Suite("ldpc_syndrome")
    bits_cases(s, "syndrome_bits", "syndrome", 1, 1 << 24, [
        ("minimal: one syndrome bit", ["Minimal"],
         {"block_id": 0, "code_id": 0, "frame_index": 0, "syndrome": "1"}),
        ("typical: 20-bit syndrome of frame 3", ["Typical"],
         {"block_id": 6, "code_id": 0x0001F4A0, "frame_index": 3, "syndrome": "01101001110000101101"}),
        ("boundary: ids at their maxima, 24 bits", ["Boundary"],
         {"block_id": U64_MAX, "code_id": U32_MAX, "frame_index": U32_MAX, "syndrome": "1" * 24}),
        ("all-zero 9-bit syndrome", ["Typical"],
         {"block_id": 6, "code_id": 1, "frame_index": 0, "syndrome": "0" * 9}),
    ])
    return s


def entry(index, setting_, phase_slice):
    return {"index": index, "setting": setting_, "phase_slice": phase_slice}


def cases_decoy_announcement():
    s = Suite("decoy_announcement")
    s.valid("minimal: no entries", ["Minimal"], {"block_id": 0, "entries": []})
    typ = {"block_id": 9, "entries": [entry(3, 1, 5), entry(17, 2, 511), entry(18, 0, 0), entry(40000, 3, 1000)]}
    s.valid("typical: four entries, index deltas 3, 13, 0 and 39981 (a 3-byte varint)", ["Typical"], typ)
    s.valid("boundary: indices 0 and 2^32-1 (delta 2^32-2, a 5-byte varint), setting 15, "
            "phase_slice 1023", ["Boundary"],
            {"block_id": U64_MAX, "entries": [entry(0, 15, 1023), entry(U32_MAX, 0, 1023)]})
    s.valid("boundary: one entry at index 2^32-1 (delta 2^32-1)", ["Boundary"],
            {"block_id": 1, "entries": [entry(U32_MAX, 15, 0)]})
    s.valid("consecutive indices (deltas 0)", ["Typical"],
            {"block_id": 2, "entries": [entry(0, 0, 0), entry(1, 1, 1), entry(2, 2, 2)]})
    f = fields_decoy_announcement(typ)
    one = fields_decoy_announcement({"block_id": 1, "entries": [entry(5, 1, 2)]})
    # Truncation (WF-ENC-5), entry_count <= remaining / 4 (WF-ENC-7), index varints (WF-ENC-2) and
    # their delta-coded bound (WF-ENC-9), setting and phase_slice bounds.
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside entry_count (2 of 4 bytes)", ["Truncated"], f.cut("entry_count", 2),
              TRUNCATED, "entry_count")
    s.invalid("entry_count 10^8 + 1, above 10^8 (also above remaining / 4; the bound is checked first)",
              ["OutOfRange", "CheckOrder"], one.replace("entry_count", u32(10**8 + 1)), OUT_OF_RANGE, "entry_count")
    s.invalid("entry_count 2 with 4 bytes left (WF-ENC-7: minimum 4 bytes an entry)",
              ["ClaimedSize", "Truncated"], one.replace("entry_count", u32(2)), TRUNCATED, "entry_count")
    s.invalid("entry_count 1 with 3 bytes left", ["ClaimedSize", "Truncated"], one.data()[:-1],
              TRUNCATED, "entry_count")
    wide = fields_decoy_announcement({"block_id": 1, "entries": [entry(40000, 1, 2)]})  # a 6-byte entry
    s.invalid("entry_count 2 with 9 bytes left (the count check passes), but the first index takes 3 "
              "bytes: the second entry ends inside phase_slice", ["Truncated"],
              wide.replace("entry_count", u32(2)).data() + b"\x00\x03\x07", TRUNCATED, "entries[].phase_slice")
    s.invalid("index varint cut off: 4 continuation bytes end the input", ["Truncated"],
              Fields(one.items[:2]).data() + b"\x80\x80\x80\x80", TRUNCATED, "entries[].index")
    s.invalid("index varint 0x80 0x00 (WF-ENC-2)", ["NonCanonical"], one.replace("entries[0].index", b"\x80\x00"),
              NON_CANONICAL, "entries[].index")
    s.invalid("index varint of 6 bytes (at most 5)", ["OutOfRange"],
              one.replace("entries[0].index", b"\x85\x80\x80\x80\x80\x01"), OUT_OF_RANGE,
              "entries[].index")
    s.invalid("first index 2^32 (a 5-byte varint)", ["OutOfRange"],
              one.replace("entries[0].index", varint(U32_LIMIT)), OUT_OF_RANGE, "entries[].index")
    top = fields_decoy_announcement({"block_id": 1, "entries": [entry(U32_MAX - 1, 1, 2), entry(U32_MAX, 1, 2)]})
    s.invalid("second index crosses the bound: previous 2^32-1, delta 0 -> 2^32 (WF-ENC-9)", ["OutOfRange"],
              top.replace("entries[0].index", varint(U32_MAX)), OUT_OF_RANGE, "entries[].index")
    s.invalid("setting 16, above 15", ["OutOfRange"], one.replace("entries[0].setting", u8(16)),
              OUT_OF_RANGE, "entries[].setting")
    s.invalid("phase_slice 1024, above 1023", ["OutOfRange"], one.replace("entries[0].phase_slice", u16(1024)),
              OUT_OF_RANGE, "entries[].phase_slice")
    s.invalid("one byte after the last entry", ["TrailingData"], one.data() + b"\x00", TRAILING, "")
    return s


def cases_estimation_disclosure():
    s = Suite("estimation_disclosure")
    s.valid("minimal: no bits, no index or value bytes", ["Minimal"], {"block_id": 0, "indices": [], "values": ""})
    typ = {"block_id": 11, "indices": [2, 9, 130, 131, 70000], "values": "10110"}
    s.valid("typical: five disclosed bits", ["Typical"], typ)
    s.valid("boundary: indices 0 and 2^32-1 (a 5-byte delta)", ["Boundary"],
            {"block_id": U64_MAX, "indices": [0, U32_MAX], "values": "11"})
    s.valid("boundary: one index 2^32-1", ["Boundary"], {"block_id": 1, "indices": [U32_MAX], "values": "0"})
    s.valid("nine bits (two value bytes), consecutive indices", ["Typical"],
            {"block_id": 1, "indices": list(range(100, 109)), "values": "000000001"})
    f = fields_estimation_disclosure(typ)
    two = fields_estimation_disclosure({"block_id": 1, "indices": [4, 6], "values": "01"})
    # Truncation (WF-ENC-5), bit_count <= remaining (WF-ENC-7), index varints (WF-ENC-2, WF-ENC-9),
    # values padding (WF-ENC-4).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside bit_count (3 of 4 bytes)", ["Truncated"], f.cut("bit_count", 3),
              TRUNCATED, "bit_count")
    s.invalid("bit_count 10^8 + 1, above 10^8 (also above the remaining bytes; the bound is checked first)",
              ["OutOfRange", "CheckOrder"], two.replace("bit_count", u32(10**8 + 1)), OUT_OF_RANGE, "bit_count")
    s.invalid("bit_count 4 with 3 bytes left", ["ClaimedSize", "Truncated"], two.replace("bit_count", u32(4)),
              TRUNCATED, "bit_count")
    s.invalid("index varint cut off: bit_count 2, the bytes 0x80 0x80 end the input", ["Truncated"],
              Fields(two.items[:2]).data() + b"\x80\x80", TRUNCATED, "indices[]")
    s.invalid("index varint 0x84 0x00 (WF-ENC-2)", ["NonCanonical"], two.replace("indices[0]", b"\x84\x00"),
              NON_CANONICAL, "indices[]")
    s.invalid("index varint of 6 bytes (at most 5)", ["OutOfRange"],
              two.replace("indices[0]", b"\x84\x80\x80\x80\x80\x01"), OUT_OF_RANGE, "indices[]")
    s.invalid("first index 2^35-1 (largest 5-byte varint), above 2^32-1", ["OutOfRange"],
              two.replace("indices[0]", b"\xff\xff\xff\xff\x7f"), OUT_OF_RANGE, "indices[]")
    s.invalid("second index crosses the bound: 2^32-2, then delta 1 -> 2^32 (WF-ENC-9)", ["OutOfRange"],
              two.replace("indices[0]", varint(U32_MAX - 1)).replace("indices[1]", varint(1)),
              OUT_OF_RANGE, "indices[]")
    s.invalid("values missing: bit_count 2, both indices present, no value byte", ["Truncated"],
              Fields(two.items[:-1]), TRUNCATED, "values")
    s.invalid("values padding bit set (2 bits, byte 0x60) (WF-ENC-4)", ["NonCanonical"],
              two.replace("values", b"\x60"), NON_CANONICAL, "values")
    s.invalid("one byte after the values", ["TrailingData"], two.data() + b"\x00", TRAILING, "")
    return s


def pair(first, second):
    return {"first": first, "second": second}


def cases_aopp_pairing():
    s = Suite("aopp_pairing")
    s.valid("minimal: no bits, no pairs", ["Minimal"], {"block_id": 0, "bob_zeros": 0, "bob_ones": 0, "pairs": []})
    typ = {"block_id": 21, "bob_zeros": 7, "bob_ones": 4,
           "pairs": [pair(0, 3), pair(1, 2), pair(4, 1000), pair(200, 201)]}
    s.valid("typical: four pairs (as many as Bob's ones), first indices increasing, second indices in any order",
            ["Typical"], typ)
    s.valid("boundary: pair (2^32-2, 2^32-1), both counts 2^32", ["Boundary"],
            {"block_id": U64_MAX, "bob_zeros": U32_LIMIT, "bob_ones": U32_LIMIT, "pairs": [pair(U32_MAX - 1, U32_MAX)]})
    s.valid("boundary: pair (0, 2^32-1), second delta 2^32-2 (a 5-byte varint); pair_count equal to both counts",
            ["Boundary"], {"block_id": 1, "bob_zeros": 1, "bob_ones": 1, "pairs": [pair(0, U32_MAX)]})
    s.valid("boundary: bob_zeros 2^32, bob_ones 0, no pairs", ["Boundary"],
            {"block_id": 3, "bob_zeros": U32_LIMIT, "bob_ones": 0, "pairs": []})
    s.valid("consecutive firsts (first delta 0)", ["Typical"],
            {"block_id": 2, "bob_zeros": 3, "bob_ones": 9, "pairs": [pair(10, 20), pair(11, 12), pair(12, 30)]})
    f = fields_aopp_pairing(typ)
    one = fields_aopp_pairing({"block_id": 1, "bob_zeros": 1, "bob_ones": 1, "pairs": [pair(5, 6)]})
    # Truncation (WF-ENC-5), the counts' bounds, pair_count <= remaining / 2 (WF-ENC-7), varints (WF-ENC-2),
    # bounds of both indices (WF-ENC-9), then pair_count <= min(bob_zeros, bob_ones) (inconsistent).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside bob_zeros (3 of 8 bytes)", ["Truncated"], f.cut("bob_zeros", 3),
              TRUNCATED, "bob_zeros")
    s.invalid("input ends right before bob_ones", ["Truncated"], f.before("bob_ones"), TRUNCATED, "bob_ones")
    s.invalid("input ends inside bob_ones (7 of 8 bytes)", ["Truncated"], f.cut("bob_ones", 7),
              TRUNCATED, "bob_ones")
    s.invalid("bob_zeros 2^32 + 1 (event indices are below 2^32)", ["OutOfRange"],
              one.replace("bob_zeros", u64(U32_LIMIT + 1)), OUT_OF_RANGE, "bob_zeros")
    s.invalid("bob_ones 2^64 - 1", ["OutOfRange"], one.replace("bob_ones", u64(U64_MAX)), OUT_OF_RANGE, "bob_ones")
    s.invalid("bob_zeros 2^33 and pair_count above 5*10^7: the earlier field is reported",
              ["OutOfRange", "CheckOrder"],
              one.replace("bob_zeros", u64(1 << 33)).replace("pair_count", u32(5 * 10**7 + 1)),
              OUT_OF_RANGE, "bob_zeros")
    s.invalid("input ends inside pair_count (1 of 4 bytes)", ["Truncated"], f.cut("pair_count", 1),
              TRUNCATED, "pair_count")
    s.invalid("pair_count 5*10^7 + 1, above 5*10^7 (also above remaining / 2; the bound is checked first)",
              ["OutOfRange", "CheckOrder"], one.replace("pair_count", u32(5 * 10**7 + 1)), OUT_OF_RANGE, "pair_count")
    s.invalid("pair_count 2 with 3 bytes left (minimum 2 bytes a pair; both counts 2)", ["ClaimedSize", "Truncated"],
              one.replace("bob_zeros", u64(2)).replace("bob_ones", u64(2)).replace("pair_count", u32(2)).data()
              + b"\x00",
              TRUNCATED, "pair_count")
    s.invalid("pair_count 1 with 1 byte left", ["ClaimedSize", "Truncated"], one.data()[:-1], TRUNCATED, "pair_count")
    s.invalid("second varint missing: pair_count 1, a 2-byte first delta uses both remaining bytes",
              ["Truncated"], one.replace("pairs[0].first", b"\x85\x01").cut("pairs[0].second"),
              TRUNCATED, "pairs[].second")
    s.invalid("first delta 0x80 0x00 (WF-ENC-2)", ["NonCanonical"], one.replace("pairs[0].first", b"\x80\x00"),
              NON_CANONICAL, "pairs[].first")
    s.invalid("second delta 0x81 0x00 (WF-ENC-2)", ["NonCanonical"], one.replace("pairs[0].second", b"\x81\x00"),
              NON_CANONICAL, "pairs[].second")
    s.invalid("first delta of 6 bytes (at most 5)", ["OutOfRange"],
              one.replace("pairs[0].first", b"\x80\x80\x80\x80\x80\x01"), OUT_OF_RANGE, "pairs[].first")
    s.invalid("second delta of 6 bytes (at most 5)", ["OutOfRange"],
              one.replace("pairs[0].second", b"\x80\x80\x80\x80\x80\x01"), OUT_OF_RANGE, "pairs[].second")
    s.invalid("first index 2^32", ["OutOfRange"], one.replace("pairs[0].first", varint(U32_LIMIT)),
              OUT_OF_RANGE, "pairs[].first")
    s.invalid("second index 2^32: first 2^32-1, second delta 0", ["OutOfRange"],
              one.replace("pairs[0].first", varint(U32_MAX)).replace("pairs[0].second", varint(0)),
              OUT_OF_RANGE, "pairs[].second")
    two = fields_aopp_pairing({"block_id": 1, "bob_zeros": 2, "bob_ones": 2,
                               "pairs": [pair(U32_MAX - 2, U32_MAX - 1), pair(U32_MAX - 1, U32_MAX)]})
    s.invalid("second pair's first crosses the bound: previous first 2^32-3, delta 2 -> 2^32 (WF-ENC-9)",
              ["OutOfRange"], two.replace("pairs[1].first", varint(2)), OUT_OF_RANGE, "pairs[].first")
    s.invalid("one byte after the last pair", ["TrailingData"], one.data() + b"\x00", TRAILING, "")
    s.invalid("four pairs but bob_ones 3 (a pair takes one bit of each value)", ["Inconsistent"],
              f.replace("bob_ones", u64(3)), INCONSISTENT, "pair_count")
    s.invalid("one pair but bob_zeros 0", ["Inconsistent"], one.replace("bob_zeros", u64(0)),
              INCONSISTENT, "pair_count")
    s.invalid("one pair, both counts 0, and a trailing byte: trailing data is found first",
              ["TrailingData", "CheckOrder"],
              one.replace("bob_zeros", u64(0)).replace("bob_ones", u64(0)).data() + b"\x00", TRAILING, "")
    s.invalid("one pair, bob_ones 0, and a non-canonical first delta: the field error is found first",
              ["NonCanonical", "CheckOrder"],
              one.replace("bob_ones", u64(0)).replace("pairs[0].first", b"\x85\x00"), NON_CANONICAL, "pairs[].first")
    return s


def rng(start, length):
    return {"start": start, "length": length}


def cases_cascade_parity_query():
    s = Suite("cascade_parity_query")
    base = {"block_id": 0, "query_id": 0, "pass": 1, "permutation_seed": 0}
    s.valid("minimal: pass 1, one range [0, 1)", ["Minimal"], {**base, "ranges": [rng(0, 1)]})
    typ = {"block_id": 13, "query_id": 5, "pass": 2, "permutation_seed": 0x0123456789ABCDEF,
           "ranges": [rng(0, 64), rng(64, 64), rng(256, 32), rng(100000, 1)]}
    s.valid("typical: four ranges, the first two touching (start delta 0)", ["Typical"], typ)
    s.valid("boundary: pass 16, ids and seed at their maxima, one range [0, 2^32) (length 2^32, "
            "a 5-byte varint; the end may equal 2^32)", ["Boundary"],
            {"block_id": U64_MAX, "query_id": U32_MAX, "pass": 16, "permutation_seed": U64_MAX,
             "ranges": [rng(0, U32_LIMIT)]})
    s.valid("boundary: range [2^32-1, 2^32) after [0, 1)", ["Boundary"],
            {**base, "pass": 3, "ranges": [rng(0, 1), rng(U32_MAX, 1)]})
    s.valid("adjacent single-bit ranges", ["Typical"],
            {**base, "query_id": 1, "pass": 4, "ranges": [rng(7, 1), rng(8, 1), rng(9, 1)]})
    f = fields_cascade_parity_query(typ)
    one = fields_cascade_parity_query({**base, "ranges": [rng(10, 5)]})
    # Truncation (WF-ENC-5), pass and range_count bounds, range_count <= remaining / 2 (WF-ENC-7),
    # varints (WF-ENC-2), length >= 1 and end <= 2^32 (5.10).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside query_id (2 of 4 bytes)", ["Truncated"], f.cut("query_id", 2), TRUNCATED, "query_id")
    s.invalid("input ends inside permutation_seed (6 of 8 bytes)", ["Truncated"], f.cut("permutation_seed", 6),
              TRUNCATED, "permutation_seed")
    s.invalid("pass 0, below 1", ["OutOfRange"], one.replace("pass", u8(0)), OUT_OF_RANGE, "pass")
    s.invalid("pass 17, above 16", ["OutOfRange"], one.replace("pass", u8(17)), OUT_OF_RANGE, "pass")
    s.invalid("range_count 0, below 1 (no ranges follow)", ["OutOfRange"],
              Fields(one.items[:-2]).replace("range_count", u32(0)), OUT_OF_RANGE, "range_count")
    s.invalid("range_count 2^24 + 1, above 2^24 (also above remaining / 2; the bound is checked first)",
              ["OutOfRange", "CheckOrder"], one.replace("range_count", u32((1 << 24) + 1)), OUT_OF_RANGE, "range_count")
    s.invalid("range_count 2 with 2 bytes left (minimum 2 bytes a range)", ["ClaimedSize", "Truncated"],
              one.replace("range_count", u32(2)), TRUNCATED, "range_count")
    s.invalid("length varint missing: range_count 1, a 2-byte start delta uses both remaining bytes",
              ["Truncated"], one.replace("ranges[0].start", b"\x80\x01").cut("ranges[0].length"),
              TRUNCATED, "ranges[].length")
    s.invalid("start delta 0x8a 0x00 (WF-ENC-2)", ["NonCanonical"], one.replace("ranges[0].start", b"\x8a\x00"),
              NON_CANONICAL, "ranges[].start")
    s.invalid("start delta of 6 bytes (at most 5)", ["OutOfRange"],
              one.replace("ranges[0].start", b"\x8a\x80\x80\x80\x80\x01"), OUT_OF_RANGE, "ranges[].start")
    s.invalid("length 0", ["OutOfRange"], one.replace("ranges[0].length", varint(0)), OUT_OF_RANGE, "ranges[].length")
    s.invalid("length varint 0x85 0x00 (WF-ENC-2)", ["NonCanonical"], one.replace("ranges[0].length", b"\x85\x00"),
              NON_CANONICAL, "ranges[].length")
    s.invalid("length varint of 6 bytes (at most 5)", ["OutOfRange"],
              one.replace("ranges[0].length", b"\x85\x80\x80\x80\x80\x01"), OUT_OF_RANGE, "ranges[].length")
    s.invalid("end 2^32 + 1: start 2^32-1, length 2", ["OutOfRange"],
              one.replace("ranges[0].start", varint(U32_MAX)).replace("ranges[0].length", varint(2)),
              OUT_OF_RANGE, "ranges[].length")
    two = fields_cascade_parity_query({**base, "ranges": [rng(0, U32_MAX), rng(U32_MAX, 1)]})
    s.invalid("second range crosses the bound: previous end 2^32-1, start delta 0, length 2 -> end 2^32 + 1",
              ["OutOfRange"], two.replace("ranges[1].length", varint(2)), OUT_OF_RANGE, "ranges[].length")
    s.invalid("one byte after the last range", ["TrailingData"], one.data() + b"\x00", TRAILING, "")
    return s


def cases_verification():
    s = Suite("verification")
    s.valid("minimal: algorithm 1 (GF(2^64)), zero seed and tag", ["Minimal"],
            {"block_id": 0, "algorithm": 1, "seed": "00" * 8, "tag": "00" * 8})
    typ = {"block_id": 77, "algorithm": 2, "seed": "00112233445566778899aabbccddeeff",
           "tag": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
    s.valid("typical: algorithm 2 (GF(2^128)), 16-byte seed and tag", ["Typical"], typ)
    s.valid("algorithm 1 with seed and tag all 0xff", ["Boundary"],
            {"block_id": 5, "algorithm": 1, "seed": "ff" * 8, "tag": "ff" * 8})
    s.valid("boundary: block_id 2^64-1, algorithm 2", ["Boundary"],
            {"block_id": U64_MAX, "algorithm": 2, "seed": "a5" * 16, "tag": "5a" * 16})
    f2 = fields_verification(typ)
    f1 = fields_verification({"block_id": 77, "algorithm": 1, "seed": "0011223344556677", "tag": "8899aabbccddeeff"})
    # Truncation (WF-ENC-5), undefined algorithm, seed/tag sizes set by the algorithm (5.13).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (6 of 8 bytes)", ["Truncated"], f1.cut("block_id", 6), TRUNCATED, "block_id")
    s.invalid("input ends right after block_id", ["Truncated"], f1.before("algorithm"), TRUNCATED, "algorithm")
    s.invalid("algorithm 0 is undefined", ["InvalidValue"], f1.replace("algorithm", u8(0)), INVALID_VALUE, "algorithm")
    s.invalid("algorithm 3 is undefined", ["InvalidValue"], f2.replace("algorithm", u8(3)), INVALID_VALUE, "algorithm")
    s.invalid("algorithm 255 is undefined", ["InvalidValue"], f1.replace("algorithm", u8(255)), INVALID_VALUE, "algorithm")
    s.invalid("algorithm 1, input ends inside seed (5 of 8 bytes)", ["Truncated"], f1.cut("seed", 5), TRUNCATED, "seed")
    s.invalid("algorithm 1, input ends inside tag (7 of 8 bytes)", ["Truncated"], f1.cut("tag", 7), TRUNCATED, "tag")
    s.invalid("algorithm 2, input ends inside seed (8 of 16 bytes)", ["Truncated"], f2.cut("seed", 8), TRUNCATED, "seed")
    s.invalid("algorithm 2 with 8-byte seed and tag (16 bytes): the 16-byte seed takes them, the tag is missing",
              ["Truncated"], f1.replace("algorithm", u8(2)), TRUNCATED, "tag")
    s.invalid("algorithm 1 with 16-byte seed and tag: 16 bytes remain after the 8-byte tag",
              ["TrailingData"], f2.replace("algorithm", u8(1)), TRAILING, "")
    s.invalid("one byte after the tag", ["TrailingData"], f1.data() + b"\x00", TRAILING, "")
    return s


def cases_privacy_amplification():
    s = Suite("privacy_amplification")
    s.valid("minimal: input_bits 1, output_bits 1, a 1-bit seed", ["Minimal"],
            {"block_id": 0, "algorithm": 1, "input_bits": 1, "output_bits": 1, "seed": "1"})
    typ = {"block_id": 99, "algorithm": 1, "input_bits": 20, "output_bits": 8, "seed": "110100101001110101101"
           "011010"}
    s.valid("typical: 20 bits to 8, a 27-bit seed", ["Typical"], typ)
    s.valid("boundary: output_bits equal to input_bits (9), a 17-bit seed", ["Boundary"],
            {"block_id": U64_MAX, "algorithm": 1, "input_bits": 9, "output_bits": 9, "seed": "10000000000000001"})
    s.valid("64 bits to 1: a 64-bit seed, no padding", ["Boundary"],
            {"block_id": 3, "algorithm": 1, "input_bits": 64, "output_bits": 1, "seed": "01" * 32})
    f = fields_privacy_amplification(typ)
    # Truncation (WF-ENC-5), algorithm, input/output bounds, seed length and padding (WF-ENC-4).
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends right after block_id", ["Truncated"], f.before("algorithm"), TRUNCATED, "algorithm")
    s.invalid("input ends inside input_bits (2 of 4 bytes)", ["Truncated"], f.cut("input_bits", 2), TRUNCATED, "input_bits")
    s.invalid("input ends inside output_bits (3 of 4 bytes)", ["Truncated"], f.cut("output_bits", 3),
              TRUNCATED, "output_bits")
    s.invalid("algorithm 0 is undefined", ["InvalidValue"], f.replace("algorithm", u8(0)), INVALID_VALUE, "algorithm")
    s.invalid("algorithm 2 is undefined", ["InvalidValue"], f.replace("algorithm", u8(2)), INVALID_VALUE, "algorithm")
    s.invalid("input_bits 0", ["OutOfRange"], f.replace("input_bits", u32(0)), OUT_OF_RANGE, "input_bits")
    s.invalid("input_bits 2^30 + 1", ["OutOfRange"], f.replace("input_bits", u32((1 << 30) + 1)),
              OUT_OF_RANGE, "input_bits")
    s.invalid("output_bits 0", ["OutOfRange"], f.replace("output_bits", u32(0)), OUT_OF_RANGE, "output_bits")
    s.invalid("output_bits 21 above input_bits 20 (a bound of output_bits, so out_of_range, not inconsistent)",
              ["OutOfRange"], f.replace("output_bits", u32(21)), OUT_OF_RANGE, "output_bits")
    s.invalid("seed cut short: 27 bits need 4 bytes, 3 remain", ["Truncated"], f.cut("seed", 3), TRUNCATED, "seed")
    s.invalid("input_bits = output_bits = 2^30 (both in bounds): the 2^31 - 1 bit seed is claimed but 4 "
              "bytes remain", ["Truncated", "Boundary"],
              f.replace("input_bits", u32(1 << 30)).replace("output_bits", u32(1 << 30)), TRUNCATED, "seed")
    s.invalid("seed padding bit set (27 bits, lowest bit of the last byte) (WF-ENC-4)", ["NonCanonical"],
              f.replace("seed", bits(typ["seed"])[:3] + bytes([bits(typ["seed"])[3] | 0x01])),
              NON_CANONICAL, "seed")
    s.invalid("one byte after the seed", ["TrailingData"], f.data() + b"\x00", TRAILING, "")
    return s


def cases_key_confirmation():
    s = Suite("key_confirmation")
    s.valid("minimal: key_bits 0 (no key), zero confirmation", ["Minimal"],
            {"block_id": 0, "key_bits": 0, "confirmation": "00" * 16})
    typ = {"block_id": 64, "key_bits": 123456, "confirmation": "c0ffee00" * 4}
    s.valid("typical: a 123456-bit key", ["Typical"], typ)
    s.valid("boundary: key_bits 2^30", ["Boundary"],
            {"block_id": 1, "key_bits": 1 << 30, "confirmation": "ff" * 16})
    s.valid("boundary: block_id 2^64-1, key_bits 1", ["Boundary"],
            {"block_id": U64_MAX, "key_bits": 1, "confirmation": "0123456789abcdeffedcba9876543210"})
    f = fields_key_confirmation(typ)
    # Truncation (WF-ENC-5), key_bits bound, trailing data.
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (2 of 8 bytes)", ["Truncated"], f.cut("block_id", 2), TRUNCATED, "block_id")
    s.invalid("input ends inside key_bits (3 of 4 bytes)", ["Truncated"], f.cut("key_bits", 3), TRUNCATED, "key_bits")
    s.invalid("confirmation missing", ["Truncated"], f.before("confirmation"), TRUNCATED, "confirmation")
    s.invalid("input ends inside confirmation (15 of 16 bytes)", ["Truncated"], f.cut("confirmation", 15),
              TRUNCATED, "confirmation")
    s.invalid("key_bits 2^30 + 1", ["OutOfRange"], f.replace("key_bits", u32((1 << 30) + 1)), OUT_OF_RANGE, "key_bits")
    s.invalid("key_bits 2^32 - 1", ["OutOfRange"], f.replace("key_bits", u32(U32_MAX)), OUT_OF_RANGE, "key_bits")
    s.invalid("one byte after the confirmation", ["TrailingData"], f.data() + b"\x00", TRAILING, "")
    s.invalid("a second confirmation (16 bytes) after the first", ["TrailingData"], f.data() + b"\x11" * 16,
              TRAILING, "")
    return s


def cases_abort():
    s = Suite("abort")
    s.valid("minimal: protocol_violation, empty detail", ["Minimal"], {"block_id": 0, "reason": 1, "detail": ""})
    typ = {"block_id": 3, "reason": 8, "detail": "sifting_announcement: windows: non_canonical"}
    s.valid("typical: decode_error naming message, field and reason (WF-AB-1)", ["Typical"], typ)
    s.valid("boundary: reason 13 (user_request), detail of 256 characters", ["Boundary"],
            {"block_id": U64_MAX, "reason": 13, "detail": ("user stop ~ " * 22)[:255] + "~"})
    s.valid("every printable character 0x20..0x7E, including quote and backslash", ["Boundary"],
            {"block_id": 1, "reason": 5, "detail": "".join(chr(c) for c in range(0x20, 0x7F))})
    f = fields_abort(typ)
    short = fields_abort({"block_id": 1, "reason": 4, "detail": "qber"})
    # Truncation (WF-ENC-5), undefined reasons, detail_length bound and claim (WF-ENC-7), characters.
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "block_id")
    s.invalid("input ends inside block_id (4 of 8 bytes)", ["Truncated"], f.cut("block_id", 4), TRUNCATED, "block_id")
    s.invalid("input ends inside reason (1 of 2 bytes)", ["Truncated"], f.cut("reason", 1), TRUNCATED, "reason")
    s.invalid("input ends inside detail_length (1 of 2 bytes)", ["Truncated"], f.cut("detail_length", 1),
              TRUNCATED, "detail_length")
    s.invalid("reason 0 is undefined", ["InvalidValue"], short.replace("reason", u16(0)), INVALID_VALUE, "reason")
    s.invalid("reason 14 is undefined", ["InvalidValue"], short.replace("reason", u16(14)), INVALID_VALUE, "reason")
    s.invalid("reason 0xFFFF is undefined", ["InvalidValue"], short.replace("reason", u16(0xFFFF)),
              INVALID_VALUE, "reason")
    s.invalid("detail_length 257 with 257 printable bytes present", ["OutOfRange"],
              short.replace("detail_length", u16(257)).replace("detail", b"x" * 257), OUT_OF_RANGE, "detail_length")
    s.invalid("detail_length 5 with 4 bytes left", ["ClaimedSize", "Truncated"], short.replace("detail_length", u16(5)),
              TRUNCATED, "detail_length")
    s.invalid("detail_length 256 (in bounds) with 4 bytes left", ["ClaimedSize", "Truncated"],
              short.replace("detail_length", u16(256)), TRUNCATED, "detail_length")
    s.invalid("detail contains 0x1F (a control character)", ["InvalidValue"], short.replace("detail", b"qb\x1fr"),
              INVALID_VALUE, "detail")
    s.invalid("detail contains 0x7F (DEL)", ["InvalidValue"], short.replace("detail", b"qbe\x7f"), INVALID_VALUE, "detail")
    s.invalid("detail contains UTF-8 \u00e9 (0xC3 0xA9)", ["InvalidValue"],
              short.replace("detail", b"q\xc3\xa9r"), INVALID_VALUE, "detail")
    s.invalid("detail contains a NUL byte", ["InvalidValue"], short.replace("detail", b"qbe\x00"), INVALID_VALUE, "detail")
    s.invalid("one byte after the detail", ["TrailingData"], short.data() + b"r", TRAILING, "")
    return s


# ---------------------------------------------------------------------------------------------------
# Frames (section 3, WF-FRM-1..6)
# ---------------------------------------------------------------------------------------------------

TAG = bytes(range(0xA0, 0xB0)).hex()   # any 16 bytes: the codec does not verify the tag (WF-FRM-4)


class FrameSuite(Suite):
    def __init__(self):
        super().__init__("frame")

    def valid_frame(self, comment, flags, decoded):
        data = frame_fields(decoded).data()
        self._add({"comment": comment, "input": data.hex(), "result": "valid", "flags": flags,
                   "decoded": copy.deepcopy(decoded)})

    def invalid(self, comment, flags, data, code, field, message="frame"):
        if isinstance(data, Fields):
            data = data.data()
        self._add({"comment": comment, "input": data.hex(), "result": "invalid", "flags": flags,
                   "error": {"message": message, "code": code, "field": field}})


def frame(type_, sender, receiver, payload, session_id=0x5E55, sequence=0):
    d = {"version": 1, "type": type_, "sender": sender, "receiver": receiver, "session_id": session_id,
         "sequence": sequence, "payload": payload.hex()}
    if is_peer(sender, receiver):
        d["tag"] = TAG
    return d


def cases_frame():
    s = FrameSuite()
    sp = encode("session_params", sp_typical())
    ack = encode("session_params_ack", {"block_id": 42, "params_digest": hashlib.sha256(sp).hexdigest(),
                                        "capabilities": 0b0011})
    det_d = {"block_id": 42, "first_slot": 0, "slot_count": 1000, "events": [ev(17, 1), ev(500, 3)]}
    det = encode("detection_report", det_d)
    phase = encode("phase_reference_report", {"block_id": 42, "first_slot": 0, "sample_stride": 100,
                                              "phases": [1, 2]})
    sift = encode("sifting_announcement", {"block_id": 42, "windows": "01"})
    kc = encode("key_confirmation", {"block_id": 42, "key_bits": 4096, "confirmation": "11" * 16})
    ab = encode("abort", {"block_id": 42, "reason": 9, "detail": "timeout"})

    s.valid_frame("session_params alice -> bob (peer channel, with tag), session 0x5E55, sequence 0",
                  ["Typical", "PeerChannel"], frame(0x01, ALICE, BOB, sp))
    s.valid_frame("session_params alice -> charlie (to-relay, no tag)", ["Typical", "RelayChannel"],
                  frame(0x01, ALICE, CHARLIE, sp, sequence=1))
    s.valid_frame("session_params_ack charlie -> alice (from-relay, no tag)", ["Typical", "RelayChannel"],
                  frame(0x02, CHARLIE, ALICE, ack))
    s.valid_frame("session_params_ack bob -> alice (peer channel)", ["Typical", "PeerChannel"],
                  frame(0x02, BOB, ALICE, ack))
    s.valid_frame("detection_report charlie -> bob", ["Typical", "RelayChannel"], frame(0x10, CHARLIE, BOB, det, sequence=1))
    s.valid_frame("phase_reference_report charlie -> alice", ["Typical", "RelayChannel"],
                  frame(0x11, CHARLIE, ALICE, phase, sequence=2))
    s.valid_frame("sifting_announcement bob -> alice", ["Typical", "PeerChannel"], frame(0x20, BOB, ALICE, sift, sequence=3))
    s.valid_frame("abort bob -> charlie (to-relay)", ["Typical", "RelayChannel"], frame(0x7F, BOB, CHARLIE, ab, sequence=4))
    s.valid_frame("abort charlie -> bob (from-relay)", ["Typical", "RelayChannel"], frame(0x7F, CHARLIE, BOB, ab, sequence=5))
    s.valid_frame("boundary: key_confirmation alice -> bob, session_id and sequence 2^64-1 (not "
                  "interpreted by the codec, WF-FRM-7)", ["Boundary", "PeerChannel"],
                  frame(0x70, ALICE, BOB, kc, session_id=U64_MAX, sequence=U64_MAX))

    peer = frame_fields(frame(0x20, ALICE, BOB, sift))       # alice -> bob, with tag
    relay = frame_fields(frame(0x10, CHARLIE, ALICE, det))   # charlie -> alice, no tag
    # -- WF-FRM-1 --
    s.invalid("empty input", ["Truncated"], b"", TRUNCATED, "magic")
    s.invalid("input \"TFQ\": ends inside magic", ["Truncated"], b"TFQ", TRUNCATED, "magic")
    s.invalid("magic \"TFQX\"", ["BadMagic"], peer.replace("magic", b"TFQX"), BAD_MAGIC, "magic")
    s.invalid("magic in lower case \"tfqk\"", ["BadMagic"], peer.replace("magic", b"tfqk"), BAD_MAGIC, "magic")
    s.invalid("input ends right after the magic", ["Truncated"], peer.before("version"), TRUNCATED, "version")
    s.invalid("version 0", ["UnsupportedVersion"], peer.replace("version", u8(0)), UNSUPPORTED_VERSION, "version")
    s.invalid("version 2", ["UnsupportedVersion"], peer.replace("version", u8(2)), UNSUPPORTED_VERSION, "version")
    # -- WF-FRM-2 --
    s.invalid("type 0x00", ["UnknownType"], peer.replace("type", u8(0x00)), UNKNOWN_TYPE, "type")
    s.invalid("type 0x03", ["UnknownType"], peer.replace("type", u8(0x03)), UNKNOWN_TYPE, "type")
    s.invalid("type 0xFF", ["UnknownType"], peer.replace("type", u8(0xFF)), UNKNOWN_TYPE, "type")
    # -- WF-FRM-3 --
    s.invalid("sender 0 is not a role", ["InvalidValue"], peer.replace("sender", u8(0)), INVALID_VALUE, "sender")
    s.invalid("sender 4 is not a role", ["InvalidValue"], peer.replace("sender", u8(4)), INVALID_VALUE, "sender")
    s.invalid("receiver 0 is not a role", ["InvalidValue"], peer.replace("receiver", u8(0)), INVALID_VALUE, "receiver")
    s.invalid("receiver 4 is not a role", ["InvalidValue"], peer.replace("receiver", u8(4)), INVALID_VALUE, "receiver")
    s.invalid("sender == receiver (alice -> alice)", ["InvalidValue"], peer.replace("receiver", u8(ALICE)),
              INVALID_VALUE, "receiver")
    s.invalid("sender == receiver (charlie -> charlie)", ["InvalidValue"], relay.replace("receiver", u8(CHARLIE)),
              INVALID_VALUE, "receiver")
    s.invalid("sifting_announcement charlie -> alice (peer only)", ["BadRoute"],
              frame_fields(frame(0x10, CHARLIE, ALICE, sift)).replace("type", u8(0x20)), BAD_ROUTE, "receiver")
    s.invalid("detection_report alice -> bob (from-relay only)", ["BadRoute"],
              frame_fields(frame(0x20, ALICE, BOB, det)).replace("type", u8(0x10)), BAD_ROUTE, "receiver")
    s.invalid("detection_report alice -> charlie (from-relay only)", ["BadRoute"],
              frame_fields(frame(0x01, ALICE, CHARLIE, det)).replace("type", u8(0x10)), BAD_ROUTE, "receiver")
    s.invalid("session_params charlie -> bob (peer and to-relay only)", ["BadRoute"],
              frame_fields(frame(0x10, CHARLIE, BOB, sp)).replace("type", u8(0x01)), BAD_ROUTE, "receiver")
    s.invalid("session_params_ack alice -> charlie (peer and from-relay only)", ["BadRoute"],
              frame_fields(frame(0x01, ALICE, CHARLIE, ack)).replace("type", u8(0x02)), BAD_ROUTE, "receiver")
    s.invalid("key_confirmation bob -> charlie (peer only)", ["BadRoute"],
              frame_fields(frame(0x7F, BOB, CHARLIE, kc)).replace("type", u8(0x70)), BAD_ROUTE, "receiver")
    # -- header truncation --
    s.invalid("input ends inside session_id (5 of 8 bytes)", ["Truncated"], peer.cut("session_id", 5),
              TRUNCATED, "session_id")
    s.invalid("input ends inside sequence (7 of 8 bytes)", ["Truncated"], peer.cut("sequence", 7), TRUNCATED, "sequence")
    s.invalid("input ends inside payload_length (2 of 4 bytes)", ["Truncated"], peer.cut("payload_length", 2),
              TRUNCATED, "payload_length")
    # -- WF-FRM-5 --
    s.invalid("payload_length 2^30 + 1", ["OutOfRange"], relay.replace("payload_length", u32((1 << 30) + 1)),
              OUT_OF_RANGE, "payload_length")
    s.invalid("payload_length 2^32 - 1", ["OutOfRange"], relay.replace("payload_length", u32(U32_MAX)),
              OUT_OF_RANGE, "payload_length")
    s.invalid("payload_length 2^30 (in bounds), far more than the bytes that follow", ["ClaimedSize", "Truncated"],
              relay.replace("payload_length", u32(1 << 30)), TRUNCATED, "payload")
    s.invalid("relay frame: payload cut one byte short of payload_length", ["Truncated"],
              relay.cut("payload", len(det) - 1), TRUNCATED, "payload")
    s.invalid("input ends right after the header (payload_length %d)" % len(sift), ["Truncated"], peer.before("payload"),
              TRUNCATED, "payload")
    # -- WF-FRM-4 --
    s.invalid("peer frame without its tag", ["Truncated", "PeerChannel"], peer.before("tag"), TRUNCATED, "tag")
    s.invalid("peer frame with a 15-byte tag", ["Truncated", "PeerChannel"], peer.cut("tag", 15), TRUNCATED, "tag")
    s.invalid("relay frame carrying a 16-byte tag: the tag is bytes after the frame", ["TrailingData", "RelayChannel"],
              relay.data() + bytes.fromhex(TAG), TRAILING, "")
    s.invalid("one byte after the peer frame's tag", ["TrailingData", "PeerChannel"], peer.data() + b"\x00",
              TRAILING, "")
    s.invalid("a second frame's magic after the relay frame", ["TrailingData", "RelayChannel"],
              relay.data() + MAGIC, TRAILING, "")
    # -- WF-FRM-6: payload errors name the payload's message --
    s.invalid("sifting_announcement payload with a set padding bit", ["InvalidPayload", "NonCanonical", "PeerChannel"],
              peer.replace("payload", sift[:-1] + bytes([sift[-1] | 0x01])), NON_CANONICAL, "windows",
              message="sifting_announcement")
    bad_abort = ab[:8] + u16(0) + ab[10:]
    s.invalid("abort payload with reason 0 (charlie -> alice)", ["InvalidPayload", "InvalidValue", "RelayChannel"],
              frame_fields(frame(0x7F, CHARLIE, ALICE, bad_abort)), INVALID_VALUE, "reason", message="abort")
    s.invalid("abort payload with one byte more than the message (payload_length covers it)",
              ["InvalidPayload", "TrailingData", "PeerChannel"],
              frame_fields(frame(0x7F, ALICE, BOB, ab + b"!")), TRAILING, "", message="abort")
    s.invalid("key_confirmation payload_length 4: the payload ends inside block_id",
              ["InvalidPayload", "Truncated", "PeerChannel"],
              frame_fields(frame(0x70, BOB, ALICE, kc[:4])), TRUNCATED, "block_id", message="key_confirmation")
    s.invalid("payload_length 0 (allowed by the frame), but every payload starts with block_id",
              ["InvalidPayload", "Truncated", "RelayChannel"],
              frame_fields(frame(0x7F, ALICE, CHARLIE, b"")), TRUNCATED, "block_id", message="abort")
    det_click0 = fields_detection_report(det_d).replace("events[0]", varint(17 << 2)).data()
    s.invalid("detection_report payload whose first event has click 0 (charlie -> bob)",
              ["InvalidPayload", "InvalidValue", "RelayChannel"],
              frame_fields(frame(0x10, CHARLIE, BOB, det_click0)), INVALID_VALUE,
              "events[].click", message="detection_report")
    return s


# ---------------------------------------------------------------------------------------------------

CASES = [
    ("session_params", cases_session_params),
    ("session_params_ack", cases_session_params_ack),
    ("detection_report", cases_detection_report),
    ("phase_reference_report", cases_phase_reference_report),
    ("sifting_announcement", cases_sifting_announcement),
    ("decoy_announcement", cases_decoy_announcement),
    ("estimation_disclosure", cases_estimation_disclosure),
    ("aopp_pairing", cases_aopp_pairing),
    ("aopp_parity", cases_aopp_parity),
    ("cascade_parity_query", cases_cascade_parity_query),
    ("cascade_parity_reply", cases_cascade_parity_reply),
    ("ldpc_syndrome", cases_ldpc_syndrome),
    ("verification", cases_verification),
    ("privacy_amplification", cases_privacy_amplification),
    ("key_confirmation", cases_key_confirmation),
    ("abort", cases_abort),
]


def write_json(path, doc):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    assert [c[0] for c in CASES] == [m[1] for m in MESSAGES]
    for name, make in CASES:
        suite = make()
        section = BY_NAME[name][2]
        write_json(args.out / (name + ".json"), document(name, section, "PayloadDecode", suite.tests))
    fs = cases_frame()
    write_json(args.out / "frame.json", document("frame", "3", "FrameDecode", fs.tests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
