#!/usr/bin/env python3
"""No drift between the C++ transition table and the formal model (docs/formal.md, "No drift").

    check_drift.py MODEL TABLE_JSON TABLE_PML

1. Reads every move the model writes (GOTO, FAIL, GOTO_LIVE in formal/tfqkd.pml, through the macros
   that contain them) and the rows of the C++ table (formal/export_table --json), and checks that they
   are the same relation: the same (party, state, input) keys, each with the same set of next states.
   SPIN checks the other direction at run time: every move the model makes asserts IN_TABLE.
2. Shows that the check bites: changes to the C++ table (a next state removed, one added, a row
   removed, a row added) each make step 1 fail; and a table.pml with one row's next states changed
   makes SPIN report a table violation (an assertion of GOTO), in the bounds of the safety run.
Output: TAP.
"""
import copy
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

ROLES = ["alice", "bob", "charlie"]
TERMINAL = {"done", "aborted"}


def read_macros(text):
    """Function-like macros of the model whose bodies move a party (they are expanded below)."""
    macros = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"#define (\w+)\(([^)]*)\)(.*)", lines[i])
        if m:
            body = m.group(3)
            while body.endswith("\\"):
                i += 1
                body = body[:-1] + "\n" + lines[i]
            name = m.group(1)
            if name not in ("GOTO", "GOTO_LIVE", "FAIL") and re.search(r"\b(GOTO|FAIL)\(", body):
                macros[name] = ([p.strip() for p in m.group(2).split(",")], body)
        i += 1
    return macros


def split_args(text):
    args, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    args.append(cur.strip())
    return args


def calls(text, name):
    """(arguments) of every call of macro `name` in text (not its #define)."""
    for m in re.finditer(r"(?<![\w#])" + name + r"\(", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("#define"):
            continue
        depth, j = 1, m.end()
        while depth:
            depth += text[j] == "("
            depth -= text[j] == ")"
            j += 1
        yield split_args(text[m.end():j - 1])


def strip_mutants(text):
    """The model without mutant-only code (#ifdef MUTANT_... blocks; #else parts of #ifndef kept)."""
    out, stack = [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#ifdef MUTANT_") or s.startswith("#ifndef MUTANT_"):
            stack.append(("keep" if s.startswith("#ifndef") else "drop"))
            continue
        if stack and s.startswith("#else"):
            stack[-1] = "drop" if stack[-1] == "keep" else "keep"
            continue
        if stack and s.startswith("#endif"):
            stack.pop()
            continue
        if not stack or all(x == "keep" for x in stack):
            out.append(line)
    return "\n".join(out)


def model_relation(model_path):
    """{(party, state, event, type, from): {next states}} as the model writes it."""
    text = strip_mutants(open(model_path).read())
    macros = read_macros(text)
    # Expand the macros that contain moves at their call sites.
    for name, (params, body) in macros.items():
        for args in list(calls(text, name)):
            expanded = body
            for p, a in zip(params, args):
                expanded = re.sub(r"\b%s\b" % re.escape(p), a, expanded)
            text += "\n" + expanded
    sym = lambda s: s.split("_", 1)[1] if "_" in s else s
    others = lambda p: [r for r in ROLES if r != p]
    relation = {}

    def add(p, s, e, t, f, n):
        key = (p, s, e, t if e == "message" else None, f if e == "message" else None)
        relation.setdefault(key, set()).add(n)

    literal = []
    for args in calls(text, "GOTO"):
        if args[0] == "p":  # the macro FAIL's own body
            continue
        literal.append((args[0], args[1], args[2], args[3], args[4], args[5]))
    for args in calls(text, "FAIL"):
        if args[0] == "p":
            continue
        literal.append((args[0], args[1], args[2], args[3], args[4], "S_aborted"))
    for p, s, e, t, f, n in literal:
        if not p.startswith("P_") or not s.startswith("S_"):
            continue  # GOTO_LIVE's and FAIL's definitions, or a non-literal state (none expected)
        party, event = sym(p), sym(e)
        senders = [sym(f)] if f.startswith("P_") else others(party)
        for sender in senders:
            add(party, s[2:], event, sym(t) if t.startswith("M_") else None, sender, n[2:])
    # Moves from every live state: the live states of a party are the non-terminal states its
    # literal moves start from.
    live = {}
    for (party, state, *_rest) in list(relation):
        if state not in TERMINAL:
            live.setdefault(party, set()).add(state)
    for args in calls(text, "GOTO_LIVE"):
        p, e, t, f, n = args
        if not p.startswith("P_"):
            continue
        party, event = sym(p), sym(e)
        senders = [sym(f)] if f.startswith("P_") else others(party)
        for state in live.get(party, ()):
            for sender in senders:
                add(party, state, event, sym(t) if t.startswith("M_") else None, sender, n[2:])
    return relation


def table_relation(rows):
    relation = {}
    for r in rows:
        key = (r["party"], r["state"], r["event"], r.get("type"), r.get("from"))
        if key in relation:
            raise ValueError("the C++ table has two rows for %s" % (key,))
        relation[key] = set(r["next"])
    return relation


def differences(model, table):
    out = []
    for key in sorted(set(model) | set(table), key=str):
        m, t = model.get(key), table.get(key)
        if m is None:
            out.append("C++ row %s -> %s has no move in the model" % (key, sorted(t)))
        elif t is None:
            out.append("model move %s -> %s has no row in the C++ table" % (key, sorted(m)))
        elif m != t:
            out.append("%s: C++ allows %s, the model moves to %s" % (key, sorted(t), sorted(m)))
    return out


def main(argv):
    import tap
    model_path, table_json, table_pml = argv[1], argv[2], argv[3]
    rows = json.load(open(table_json))
    model = model_relation(model_path)
    table = table_relation(rows)
    diff = differences(model, table)
    tap.check("the model's moves and the C++ table are the same relation (%d rows, %d model keys)"
              % (len(table), len(model)), not diff, "\n".join(diff))

    # The check bites: each change to the C++ table is reported.
    def changed(mutate):
        mutated = copy.deepcopy(rows)
        mutate(mutated)
        return differences(model, table_relation(mutated))

    def find(rows_, party, state, typ):
        return next(r for r in rows_ if r["party"] == party and r["state"] == state and r.get("type") == typ)

    changes = {
        "a next state removed (alice may no longer pair after the decoys)":
            lambda rs: find(rs, "alice", "awaiting_peer_decoys", "decoy_announcement")["next"].remove("awaiting_pairing"),
        "a next state added (bob may finish right after the parities)":
            lambda rs: find(rs, "bob", "awaiting_parity", "aopp_parity")["next"].append("done"),
        "a row removed (charlie no longer takes session_params)":
            lambda rs: rs.remove(find(rs, "charlie", "idle", "session_params")),
        "a row added (alice takes a verification while collecting reports)":
            lambda rs: rs.append({"party": "alice", "state": "collecting_reports", "event": "message",
                                  "type": "verification", "from": "bob", "next": ["aborted"]}),
    }
    for name, mutate in changes.items():
        d = changed(mutate)
        tap.check("a C++ table change is caught: " + name, bool(d), "no difference reported")

    # And SPIN catches a table.pml whose row no longer allows a move the model makes.
    import spin_check
    text = open(table_pml).read()
    # Alice (0), awaiting_peer_decoys (5), message (4), decoy_announcement (5), from bob (1): drop
    # the bit of awaiting_pairing (6).
    pattern = re.compile(r"(tbl\[T_INDEX\(0, 5, 4, 5, 1\)\] = )(\d+);")
    m = pattern.search(text)
    ok = False
    detail = "row not found in table.pml"
    if m:
        value = int(m.group(2)) & ~(1 << 6)
        work = spin_check.tempfile.mkdtemp(prefix="tfqkd-drift-")
        try:
            mutated = os.path.join(work, "table.pml")
            with open(mutated, "w") as f:
                f.write(pattern.sub(lambda mm: mm.group(1) + str(value) + ";", text))
            config = spin_check.load_configurations()["configurations"]["safety"]
            defines = ["-D%s=%s" % kv for kv in config["bounds"].items()]
            with spin_check.Run(model_path, mutated, defines) as run:
                run.build()
                output, _ = run.verify()
                violated = spin_check.classify(output)
                ok = violated == "table"
                detail = output[-2000:]
        finally:
            shutil.rmtree(work, ignore_errors=True)
    tap.check("SPIN reports a table violation when the C++ row no longer allows the model's move", ok, detail)
    tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
