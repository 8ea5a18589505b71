#!/usr/bin/env python3
"""`tfqkd conformance --html`: the page as a real browser sees it (headless Chromium).

For the reference library (a passing run) and a mutant (a failing one) the command writes the HTML
page with the JSON report beside it; Chromium loads the page and prints its DOM, and its checks are:
the verdict, one row per test of the JSON report with the same grade, each failure linked to the
row of that test, the groups with a failure open, nothing fetched from elsewhere, and the page's
script ran (its buttons exist). The file as written, read without any script, has the same verdict,
rows and links (Chromium's own switch for scripts off cannot be used: --dump-dom and --screenshot
need scripts). A screenshot of each page must be a PNG of the window's size with something drawn
in it. A report that cannot be written is exit status 2.

Chromium (Debian's `chromium`, installed by scripts/setup.sh; TFQKD_CHROMIUM names another) runs
with a time limit, a profile, home and cache in a temporary directory, in its own process group
that is killed afterwards; the test checks that none of its processes is left. A missing Chromium
fails the test. TFQKD_HTML_TEST_KEEP=DIR keeps the pages and screenshots in DIR.

Usage: conformance_html_test.py PATH_TO_TFQKD REFERENCE_LIBRARY MUTANTS_DIR
Prints TAP.
"""
import html.parser
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from support import run
from tap import check, finish

TFQKD, REFERENCE, MUTANTS = sys.argv[1:4]
MUTANT = os.path.join(MUTANTS, "libtfqkd_conformance_mutant_hash_wrong_polynomial.so")
CHROMIUM = os.environ.get("TFQKD_CHROMIUM") or shutil.which("chromium")
WINDOW = (1280, 1500)


class Page(html.parser.HTMLParser):
    """What the checks read from a page: the verdict, the rows, the links, the groups."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids = {}            # id -> (tag, attributes)
        self.rows = {}           # test id attribute -> grade class, in order
        self.failure_links = []  # href of each link in the failures section
        self.groups = {}         # group id attribute -> (classes, open)
        self.external = []       # anything that would fetch or leave the page
        self.buttons = 0
        self.verdict = None
        self._stack = []
        self._verdict_text = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("meta", "col", "br", "wbr", "img", "input", "link"):
            self._stack.append((tag, a.get("id")))
        if "id" in a:
            self.ids[a["id"]] = (tag, a)
        if tag == "tr" and a.get("id", "").startswith("t-"):
            self.rows[a["id"]] = a.get("class")
        if tag == "a" and any(i == "failures" for _, i in self._stack):
            self.failure_links.append(a.get("href"))
        if tag == "details" and "group" in a.get("class", "").split():
            self.groups[a["id"]] = (a["class"].split(), "open" in a)
        if tag == "button":
            self.buttons += 1
        for name in ("src", "srcset", "data", "action", "poster"):
            if name in a:
                self.external.append(f"<{tag} {name}={a[name]}>")
        if tag == "link" or (tag == "a" and not a.get("href", "#").startswith("#")):
            self.external.append(f"<{tag} {a}>")
        if a.get("id") == "verdict":
            self._verdict_text = ""

    def handle_endtag(self, tag):
        while self._stack:
            top, ident = self._stack.pop()
            if ident == "verdict":
                self.verdict, self._verdict_text = self._verdict_text, None
            if top == tag:
                break

    def handle_data(self, data):
        if self._verdict_text is not None:
            self._verdict_text += data


def our_processes(marker):
    """Processes whose command line names `marker` (our temporary directory): what Chromium left."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(pid))
    return found


def chromium(home, *args):
    """Runs headless Chromium with a profile in `home`; its return code, standard output and error.
    The process group is killed however it ends, and on a timeout too."""
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_CACHE_HOME=os.path.join(home, "cache"))
    profile = tempfile.mkdtemp(prefix="profile-", dir=home)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--no-first-run",
               "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--mute-audio", *args]
    p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        err += b"\n(killed after 60 s)"
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # Chromium's crash handlers run in sessions of their own, outside the group; they exit when
        # the browser has gone. Give them a moment, then kill what remains (what names our profile).
        deadline = time.monotonic() + 3
        while our_processes(home) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in our_processes(home):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def png_facts(path):
    """(width, height, distinct byte values of the decompressed image data), or None if not a PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    idat, at = b"", 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def check_page(tmp, name, library, passed):
    page_path = os.path.join(tmp, f"{name}.html")
    json_path = os.path.join(tmp, f"{name}.json")
    r = run(TFQKD, "conformance", "--library", library, "--json", json_path, "--html", page_path, timeout=120)
    check(f"{name}: the command exits {0 if passed else 1} and writes the page",
          r.returncode == (0 if passed else 1) and os.path.getsize(page_path) > 0, r.stdout[-800:] + r.stderr)
    with open(json_path) as f:
        report = json.load(f)
    tests = report["tests"]
    fails = [t for t in tests if t["grade"] == "fail"]
    expected_verdict = "PASSED: no test failed" if passed else \
        f"FAILED: {len(fails)} test{'' if len(fails) == 1 else 's'} failed"
    check(f"{name}: the JSON report agrees ({len(tests)} tests, {len(fails)} failed)",
          report["passed"] == passed and (passed or fails), report["summary"])

    code, dom, err = chromium(tmp, "--dump-dom", "file://" + page_path)
    check(f"{name}: Chromium loads the page and prints its DOM", code == 0 and "</html>" in dom, err[-1500:])
    page = Page(dom)
    check(f"{name}: the verdict reads \"{expected_verdict}\"", (page.verdict or "").strip() == expected_verdict,
          page.verdict)
    check(f"{name}: one row per test of the JSON report ({len(page.rows)} rows)",
          len(page.rows) == len(tests) == report["summary"]["total"], f"{len(page.rows)} rows, {len(tests)} tests")
    check(f"{name}: each row has its test's id and grade",
          list(page.rows.items()) == [("t-" + t["id"], t["grade"]) for t in tests],
          [x for x in zip(page.rows.items(), [(t["id"], t["grade"]) for t in tests]) if x[0] != ("t-" + x[1][0], x[1][1])][:5])
    targets = [h[1:] for h in page.failure_links if h and h.startswith("#")]
    check(f"{name}: each failure is listed, linked to an element id that exists (its row, graded fail)",
          len(targets) == len(page.failure_links) == len(fails)
          and all(t in page.ids and page.ids[t][0] == "tr" and page.rows.get(t) == "fail" for t in targets)
          and targets == ["t-" + t["id"] for t in fails],
          f"links {page.failure_links[:5]}, failures {[t['id'] for t in fails][:5]}")
    check(f"{name}: {'no failures section' if passed else 'the failures section comes before the groups'}",
          ("failures" not in page.ids) if passed else
          dom.find('id="failures"') < dom.find('id="tests"'), sorted(page.ids)[:5])
    groups_with_fail = {"g-" + t["group"] for t in fails}
    check(f"{name}: one section per group, open exactly when it holds a failure",
          len(page.groups) == len({t["group"] for t in tests})
          and all(is_open == (g in groups_with_fail) for g, (_, is_open) in page.groups.items()),
          {g: o for g, (_, o) in page.groups.items()})
    check(f"{name}: nothing external: no src, no link, no link away from the page", not page.external, page.external[:5])
    check(f"{name}: the page's script ran (its three buttons)", page.buttons == 3, page.buttons)

    with open(page_path, encoding="utf-8") as f:
        static = Page(f.read())
    check(f"{name}: without scripts the file has the same verdict, rows and links, and no buttons",
          static.verdict == page.verdict and static.rows == page.rows and static.failure_links == page.failure_links
          and static.buttons == 0)

    shot = os.path.join(tmp, f"{name}.png")
    code, _, err = chromium(tmp, f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars",
                            "file://" + page_path)
    facts = png_facts(shot) if code == 0 and os.path.exists(shot) else None
    check(f"{name}: the screenshot is a {WINDOW[0]}x{WINDOW[1]} PNG with something drawn", facts is not None and facts[:2] == WINDOW and facts[2] > 8
          and os.path.getsize(shot) > 20000, f"{facts} {os.path.getsize(shot) if os.path.exists(shot) else 0} bytes; {err[-800:]}")
    keep = os.environ.get("TFQKD_HTML_TEST_KEEP")
    if keep:
        os.makedirs(keep, exist_ok=True)
        for path in (page_path, shot):
            if os.path.exists(path):
                shutil.copy(path, keep)


start = time.monotonic()
check("Chromium is installed (scripts/setup.sh installs Debian's chromium)",
      CHROMIUM is not None and os.access(CHROMIUM, os.X_OK), f"not found: {CHROMIUM}")
if CHROMIUM is None:
    finish()

with tempfile.TemporaryDirectory(prefix="tfqkd-html-") as tmp:
    try:
        check_page(tmp, "reference", REFERENCE, passed=True)
        check_page(tmp, "mutant", MUTANT, passed=False)
    finally:
        left = our_processes(tmp)
        for pid in left:  # not expected: chromium() has killed its processes; the check says so
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    check("no Chromium process is left running", not left, left)

    r = run(TFQKD, "conformance", "--library", REFERENCE, "--html", os.path.join(tmp, "missing", "r.html"))
    check("a page that cannot be written: exit status 2 naming the file",
          r.returncode == 2 and "r.html: the HTML report cannot be written" in r.stderr, r.stderr)
print(f"# {time.monotonic() - start:.1f} s")
finish()
